namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// Where a layer's time goes in the persistent layer kernel, from its trace: per block, layer and phase, four
/// %globaltimer stamps (reached the barrier, passed it, had its input, finished its work; layers.cu stamp()).
/// </summary>
public static class LayerProfile
{
    public static readonly string[] Phases = ["QKV", "attention+proj", "MLP"];
    /// <summary>Which phases start at a grid barrier (layers.cu): the attention waits only for published values.</summary>
    public static readonly bool[] Barriers = [true, false, true];
    const int Events = 4;

    /// <summary>
    /// One phase, in microseconds, medians over blocks and layers 1..L-1 (layer 0's first phase has no barrier):
    /// Wait, a block's time in the barrier; Release, from the last block's arrival to the first block's departure
    /// (both NaN for a phase without a barrier);
    /// Input, after the barrier until its input is staged (QKV and MLP: the vector loaded and normalised and the
    /// phase's weights in shared memory; attention, which has no barrier: the head's query, key and value waited
    /// for, the slice computed, the head's slices waited for and merged);
    /// Work, its products and their stores; Span, from this phase's last arrival to the next phase's (the phase's
    /// share of the critical path).
    /// </summary>
    public sealed record PhaseTimes(string Phase, double Wait, double Release, double Input, double Work, double Span);

    public static IReadOnlyList<PhaseTimes> Summarize(long[] stamps, int blocks, int layers)
    {
        var At = Reader(stamps, blocks, layers);
        long LastArrival(int layer, int phase) => Enumerable.Range(0, blocks).Max(b => At(b, layer, phase, 0));
        var layerRange = Enumerable.Range(1, layers - 1).ToList();
        return Phases.Select((name, phase) =>
        {
            double Median(Func<int, int, long> interval) =>
                MedianUs(layerRange.SelectMany(l => Enumerable.Range(0, blocks).Select(b => interval(b, l))));
            var release = Barriers[phase]
                ? MedianUs(layerRange.Select(l => Enumerable.Range(0, blocks).Min(b => At(b, l, phase, 1)) - LastArrival(l, phase)))
                : double.NaN;
            var spans = layerRange
                .Where(l => phase < Phases.Length - 1 || l < layers - 1)
                .Select(l => (phase < Phases.Length - 1 ? LastArrival(l, phase + 1) : LastArrival(l + 1, 0)) - LastArrival(l, phase));
            return new PhaseTimes(name,
                Barriers[phase] ? Median((b, l) => At(b, l, phase, 1) - At(b, l, phase, 0)) : double.NaN, release,
                Median((b, l) => At(b, l, phase, 2) - At(b, l, phase, 1)),
                Median((b, l) => At(b, l, phase, 3) - At(b, l, phase, 2)),
                MedianUs(spans));
        }).ToList();
    }

    /// <summary>
    /// One barrier's stragglers: how far the last block to arrive comes after the median block (us, the median over
    /// layers 1..L-1; a barrier's wait is mostly this skew), and the blocks most often last, with how many layers each.
    /// </summary>
    public sealed record Stragglers(string Phase, double LastBehindMedian, IReadOnlyList<(int Block, int Layers)> MostOftenLast);

    /// <summary>The stragglers of each phase that starts at a grid barrier, the <paramref name="top"/> most often last blocks each.</summary>
    public static IReadOnlyList<Stragglers> LastArrivals(long[] stamps, int blocks, int layers, int top = 3)
    {
        var At = Reader(stamps, blocks, layers);
        var layerRange = Enumerable.Range(1, layers - 1).ToList();
        return Phases.Select((name, phase) => (name, phase)).Where(p => Barriers[p.phase]).Select(p =>
        {
            var arrivals = layerRange.Select(l => Enumerable.Range(0, blocks).Select(b => At(b, l, p.phase, 0)).ToList()).ToList();
            var last = arrivals.Select(a => a.IndexOf(a.Max()));
            var behind = arrivals.Select(a => a.Max() - a.Order().ElementAt(a.Count / 2));
            var mostOften = last.GroupBy(b => b).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Take(top)
                .Select(g => (g.Key, g.Count())).ToList();
            return new Stragglers(p.name, MedianUs(behind), mostOften);
        }).ToList();
    }

    /// <summary>Stamp e of (block, layer, phase), after checking that the trace has the stamps of that many blocks and layers.</summary>
    static Func<int, int, int, int, long> Reader(long[] stamps, int blocks, int layers)
    {
        var perBlock = layers * Phases.Length * Events;
        if (stamps.Length != blocks * perBlock)
            throw new ArgumentException($"a trace of {blocks} blocks x {layers} layers has {blocks * perBlock} stamps, got {stamps.Length}");
        if (layers < 2)
            throw new ArgumentException("the profile needs at least two layers (layer 0's first phase has no barrier)");
        return (block, layer, phase, e) => stamps[block * perBlock + (layer * Phases.Length + phase) * Events + e];
    }

    static double MedianUs(IEnumerable<long> nanoseconds)
    {
        var sorted = nanoseconds.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2] / 1000.0;
    }
}
