using GptBench.GpuWorker.Kernels;

namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>The persistent layer kernel's trace, summarised per phase (LayerProfile.Summarize).</summary>
public class LayerProfileTests
{
    static readonly int Phases = LayerProfile.Phases.Length;
    const int Events = 4;

    /// <summary>
    /// Two blocks, three layers. Every phase lasts 10 us: block b reaches the barrier at 2 b us into it (so the
    /// last arrival is block 1, at +2), passes it at +3 (block 0) / +3.5 (block 1), has its input 1 us later and
    /// its work done 2 us after that.
    /// </summary>
    static long[] Trace(int blocks = 2, int layers = 3)
    {
        var stamps = new long[blocks * layers * Phases * Events];
        for (var b = 0; b < blocks; b++)
        for (var l = 0; l < layers; l++)
        for (var p = 0; p < Phases; p++)
        {
            var start = 10_000L * (l * Phases + p);
            var i = (b * layers * Phases + l * Phases + p) * Events;
            stamps[i] = start + 2_000 * b;
            stamps[i + 1] = start + 3_000 + 500 * b;
            stamps[i + 2] = stamps[i + 1] + 1_000;
            stamps[i + 3] = stamps[i + 2] + 2_000;
        }
        return stamps;
    }

    [Fact]
    public void Each_phase_splits_into_wait_release_input_work_and_its_span()
    {
        var phases = LayerProfile.Summarize(Trace(), blocks: 2, layers: 3);
        Assert.Equal(LayerProfile.Phases, phases.Select(p => p.Phase));
        Assert.All(phases, p =>
        {
            Assert.Equal(1.0, p.Input);
            Assert.Equal(2.0, p.Work);
            Assert.Equal(10.0, p.Span);   // from one phase's last arrival to the next one's
        });
        Assert.All(phases.Where((_, i) => LayerProfile.Barriers[i]), p =>
        {
            Assert.Equal(3.0, p.Wait);    // block 0 waits 3 us, block 1 1.5 us: the upper median of the two
            Assert.Equal(1.0, p.Release); // last arrival +2, first departure +3
        });
    }

    [Fact]
    public void A_phase_without_a_barrier_has_no_wait_or_release()
    {
        var attention = LayerProfile.Summarize(Trace(), 2, 3)[Array.IndexOf(LayerProfile.Phases, "attention+proj")];
        Assert.False(LayerProfile.Barriers[Array.IndexOf(LayerProfile.Phases, "attention+proj")]);
        Assert.True(double.IsNaN(attention.Wait));
        Assert.True(double.IsNaN(attention.Release));
        Assert.Equal(1.0, attention.Input);
    }

    [Fact]
    public void Layer_zero_is_left_out_because_its_first_phase_has_no_barrier()
    {
        var stamps = Trace();
        for (var b = 0; b < 2; b++) stamps[b * 3 * Phases * Events] = stamps[b * 3 * Phases * Events + 1] = 0; // never stamped
        Assert.Equal(3.0, LayerProfile.Summarize(stamps, 2, 3)[0].Wait);
    }

    [Fact]
    public void A_barriers_stragglers_are_how_far_the_last_block_trails_the_median_and_which_blocks_are_last()
    {
        var stragglers = LayerProfile.LastArrivals(Trace(blocks: 4), blocks: 4, layers: 3);
        Assert.Equal(LayerProfile.Phases.Where((_, i) => LayerProfile.Barriers[i]), stragglers.Select(s => s.Phase));
        Assert.All(stragglers, s =>
        {
            Assert.Equal(2.0, s.LastBehindMedian); // arrivals at +0, +2, +4, +6 us: the last 2 us after the (upper) median
            Assert.Equal([(3, 2)], s.MostOftenLast); // block 3 last in both layers 1 and 2
        });
    }

    [Fact]
    public void The_most_often_last_blocks_come_by_count_then_by_block()
    {
        var stamps = Trace(blocks: 4);
        stamps[(0 * 3 * Phases + 2 * Phases) * Events] += 10_000; // block 0 last at layer 2's QKV barrier
        var qkv = LayerProfile.LastArrivals(stamps, 4, 3)[0];
        Assert.Equal("QKV", qkv.Phase);
        Assert.Equal([(0, 1), (3, 1)], qkv.MostOftenLast);
    }

    [Fact]
    public void A_trace_of_the_wrong_size_or_a_single_layer_is_refused()
    {
        Assert.Contains("has 72 stamps, got 71", Assert.Throws<ArgumentException>(() => LayerProfile.Summarize(Trace()[..^1], 2, 3)).Message);
        Assert.Contains("at least two layers", Assert.Throws<ArgumentException>(() => LayerProfile.Summarize(Trace(layers: 1), 2, 1)).Message);
        Assert.Contains("has 72 stamps, got 71", Assert.Throws<ArgumentException>(() => LayerProfile.LastArrivals(Trace()[..^1], 2, 3)).Message);
    }
}
