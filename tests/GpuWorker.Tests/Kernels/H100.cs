namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>The lent H100's limit the kernels' launch plans are tested against.</summary>
internal static class H100
{
    /// <summary>227 KiB: the shared memory an H100 block may use when it opts in.</summary>
    public const int SharedBytesPerBlock = 232448;
}
