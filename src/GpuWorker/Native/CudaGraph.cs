using static GptBench.GpuWorker.Native.CudaApi;

namespace GptBench.GpuWorker.Native;

/// <summary>
/// A non-blocking CUDA stream that can be made libtorch's current stream (for the calling thread),
/// so TorchSharp ops run on it and can be captured from it.
/// </summary>
public sealed class CudaStream : IDisposable
{
    public IntPtr Handle { get; }
    readonly sbyte device;
    readonly C10Stream asC10;
    C10Stream? previous;

    public CudaStream(int deviceIndex)
    {
        device = checked((sbyte)deviceIndex);
        Check(cudaStreamCreateWithFlags(out var handle, StreamNonBlocking), nameof(cudaStreamCreateWithFlags));
        Handle = handle;
        asC10 = GetStreamFromExternal(handle, device);
    }

    /// <summary>Makes this libtorch's current stream on this thread (remembering the one it replaces).</summary>
    public void MakeCurrent()
    {
        var current = GetCurrentCudaStream(device);
        if (current.Id == asC10.Id)
            return;
        previous ??= current;
        SetCurrentCudaStream(asC10);
    }

    public void Synchronize() => Check(cudaStreamSynchronize(Handle), nameof(cudaStreamSynchronize));

    public void Dispose()
    {
        Synchronize();
        if (previous is { } before && GetCurrentCudaStream(device).Id == asC10.Id)
            SetCurrentCudaStream(before);
        Check(cudaStreamDestroy(Handle), nameof(cudaStreamDestroy));
    }
}

/// <summary>
/// Work captured once from a stream and replayed with one launch. The captured ops' tensors must stay
/// alive (and the inputs be updated in place) for as long as the graph is replayed: their memory is baked in.
/// </summary>
public sealed class CudaGraph : IDisposable
{
    readonly IntPtr graph, exec;
    readonly CudaStream stream;

    public long NodeCount { get; }

    CudaGraph(IntPtr graph, IntPtr exec, CudaStream stream)
    {
        this.graph = graph;
        this.exec = exec;
        this.stream = stream;
        nuint count = 0;
        Check(cudaGraphGetNodes(graph, IntPtr.Zero, ref count), nameof(cudaGraphGetNodes));
        NodeCount = (long)count;
    }

    /// <summary>
    /// Captures what <paramref name="body"/> enqueues on <paramref name="stream"/> (which must be current).
    /// Relaxed mode, so the caching allocator may still work during capture; nothing in the body may
    /// synchronize with the host. Run the body once before capturing, so the allocator holds its blocks.
    /// </summary>
    public static CudaGraph Capture(CudaStream stream, Action body)
    {
        Check(cudaStreamBeginCapture(stream.Handle, CaptureModeRelaxed), nameof(cudaStreamBeginCapture));
        try
        {
            body();
        }
        catch
        {
            if (cudaStreamEndCapture(stream.Handle, out var partial) == 0 && partial != IntPtr.Zero)
                cudaGraphDestroy(partial);
            throw;
        }
        Check(cudaStreamEndCapture(stream.Handle, out var graph), nameof(cudaStreamEndCapture));
        var status = cudaGraphInstantiate(out var exec, graph, 0);
        if (status != 0)
        {
            cudaGraphDestroy(graph);
            Check(status, nameof(cudaGraphInstantiate));
        }
        return new CudaGraph(graph, exec, stream);
    }

    /// <summary>Enqueues one replay on the stream it was captured from; does not wait for it.</summary>
    public void Launch() => Check(cudaGraphLaunch(exec, stream.Handle), nameof(cudaGraphLaunch));

    public void Dispose()
    {
        Check(cudaGraphExecDestroy(exec), nameof(cudaGraphExecDestroy));
        Check(cudaGraphDestroy(graph), nameof(cudaGraphDestroy));
    }
}

/// <summary>A CUDA event, for timing GPU work between two points of a stream.</summary>
public sealed class CudaEvent : IDisposable
{
    readonly IntPtr handle;

    public CudaEvent() => Check(cudaEventCreateWithFlags(out handle, EventDefault), nameof(cudaEventCreateWithFlags));

    public void Record(CudaStream stream) => Check(cudaEventRecord(handle, stream.Handle), nameof(cudaEventRecord));

    /// <summary>Records the event each time the graph being captured on <paramref name="stream"/> replays, so that
    /// <see cref="ElapsedMs"/> can time between points inside it (a plain <see cref="Record"/> in capture records nothing).</summary>
    public void RecordInGraph(CudaStream stream) =>
        Check(cudaEventRecordWithFlags(handle, stream.Handle, EventRecordExternal), nameof(cudaEventRecordWithFlags));

    public void Synchronize() => Check(cudaEventSynchronize(handle), nameof(cudaEventSynchronize));

    /// <summary>GPU milliseconds from <paramref name="start"/> to <paramref name="end"/> (both recorded and completed).</summary>
    public static float ElapsedMs(CudaEvent start, CudaEvent end)
    {
        Check(cudaEventElapsedTime(out var ms, start.handle, end.handle), nameof(cudaEventElapsedTime));
        return ms;
    }

    public void Dispose() => Check(cudaEventDestroy(handle), nameof(cudaEventDestroy));
}
