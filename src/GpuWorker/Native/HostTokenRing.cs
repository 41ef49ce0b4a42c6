using static GptBench.GpuWorker.Native.CudaApi;

namespace GptBench.GpuWorker.Native;

/// <summary>
/// Pinned host memory the GPU writes token ids into directly (mapped, zero-copy): the sampling kernel
/// stores each token as its step finishes, and the host polls. So every token reaches the host as
/// soon as it exists, while the GPU already runs the next step, and the GPU never waits for the host.
/// </summary>
public sealed class HostTokenRing : IDisposable
{
    const int Empty = -1;
    readonly MappedInts slots;
    public IntPtr DevicePointer => slots.DevicePointer;
    public int Capacity => slots.Length;

    public HostTokenRing(int capacity)
    {
        slots = new MappedInts(capacity);
        Clear(capacity);
    }

    /// <summary>Marks the first <paramref name="count"/> slots empty, before the work that fills them is enqueued.</summary>
    public void Clear(int count)
    {
        slots.AsSpan()[..count].Fill(Empty);
        Thread.MemoryBarrier(); // the slots read empty before the launch that fills them is enqueued
    }

    /// <summary>Waits for slot <paramref name="index"/> to be written; a stream that failed or stalled past the timeout throws.</summary>
    public int WaitFor(int index, CudaStream stream, TimeSpan timeout)
    {
        ref var slot = ref slots[index];
        var spins = 0;
        var started = Environment.TickCount64;
        while (true)
        {
            var value = Volatile.Read(ref slot);
            if (value != Empty) return value;
            if (++spins % 4096 != 0) continue;
            var status = cudaStreamQuery(stream.Handle);
            if (status == 0 && Volatile.Read(ref slot) == Empty)
                throw new CudaException($"the stream went idle without writing token {index}");
            if (status != 0 && status != 600) // 600: cudaErrorNotReady, work still running
                Check(status, "cudaStreamQuery (waiting for a token)");
            if (Environment.TickCount64 - started > timeout.TotalMilliseconds)
                throw new CudaException($"token {index} did not arrive within {timeout.TotalSeconds:0} s");
        }
    }

    public void Dispose() => slots.Dispose();
}
