using GptBench.GpuWorker.Native;

namespace GptBench.Orchestrator.Engines;

/// <summary>
/// Whether this machine has a CUDA libtorch, found as the engine process will find it
/// (<see cref="TorchRuntime.FindCudaLibraryFolder"/>); asked once, since it may start python3.
/// </summary>
public static class TorchLocator
{
    static readonly Lazy<string?> Found = new(TorchRuntime.FindCudaLibraryFolder);

    public static string? CudaTorchLib() => Found.Value;
}
