using static GptBench.GpuWorker.Native.CudaApi;

namespace GptBench.GpuWorker.Native;

/// <summary>
/// int32 values in pinned host memory mapped into the GPU's address space (zero-copy): kernels read and write them
/// through <see cref="DevicePointer"/> while the host does through the indexer, with no copy enqueued either way.
/// </summary>
public sealed unsafe class MappedInts : IDisposable
{
    readonly IntPtr host;
    public IntPtr DevicePointer { get; }
    public int Length { get; }

    public MappedInts(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;
        Check(cudaHostAlloc(out host, (nuint)(length * sizeof(int)), HostAllocMapped), nameof(cudaHostAlloc));
        Check(cudaHostGetDevicePointer(out var device, host, 0), nameof(cudaHostGetDevicePointer));
        DevicePointer = device;
    }

    public ref int this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(index), $"{index} is outside [0, {Length})");
            return ref ((int*)host)[index];
        }
    }

    /// <summary>All the values as one span: bulk writes (the framework's vectorised copy and fill), not a loop of indexer calls.</summary>
    public Span<int> AsSpan() => new((void*)host, Length);

    public void Dispose() => Check(cudaFreeHost(host), nameof(cudaFreeHost));
}
