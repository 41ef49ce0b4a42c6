using GptBench.GpuWorker.Native;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>Microseconds per launch: median, fastest and slowest replay, and every replay in the order run.</summary>
record struct Timing(double Median, double Min, double Max, IReadOnlyList<double> InOrder)
{
    /// <summary>The median, fastest and slowest of <paramref name="inOrder"/> (the upper median of an even count).</summary>
    public static Timing Of(IReadOnlyList<double> inOrder)
    {
        var sorted = inOrder.Order().ToList();
        return new Timing(sorted[sorted.Count / 2], sorted[0], sorted[^1], inOrder);
    }

    /// <summary>"median (fastest..slowest)" to two places.</summary>
    public string Spread => $"{Median:0.00} ({Min:0.00}..{Max:0.00})";
}

/// <summary>How the checks time launches: CUDA graphs of repeated launches, events around each replay.</summary>
static class LaunchTiming
{
    public const int LaunchesPerGraph = 50, Replays = 7;

    /// <summary>Microseconds per launch: a graph of LaunchesPerGraph launches replayed Replays times, each timed with events.</summary>
    public static Timing TimeLaunches(CudaStream stream, Action<IntPtr> body)
    {
        using var graph = CudaGraph.Capture(stream, () => body(stream.Handle));
        using var start = new CudaEvent();
        using var end = new CudaEvent();
        graph.Launch();
        stream.Synchronize();
        var inOrder = new List<double>();
        for (var r = 0; r < Replays; r++)
        {
            start.Record(stream);
            graph.Launch();
            end.Record(stream);
            end.Synchronize();
            inOrder.Add(CudaEvent.ElapsedMs(start, end) * 1000.0 / LaunchesPerGraph);
        }
        return Timing.Of(inOrder);
    }
}
