using GptBench.GpuWorker.Kernels.Checks;

namespace GptBench.GpuWorker.Tests.Kernels.Checks;

/// <summary>How the checks summarise repeated times: median, fastest, slowest, and the runs in order.</summary>
public class TimingTests
{
    [Fact]
    public void A_timing_is_the_median_and_range_of_its_runs_kept_in_order()
    {
        double[] runs = [5.0, 1.0, 9.0, 3.0, 7.0];
        var t = Timing.Of(runs);
        Assert.Equal((5.0, 1.0, 9.0), (t.Median, t.Min, t.Max));
        Assert.Equal(runs, t.InOrder);
        Assert.Equal("5.00 (1.00..9.00)", t.Spread);
    }

    [Fact]
    public void An_even_count_takes_the_upper_median() => Assert.Equal(3.0, Timing.Of([4.0, 1.0, 3.0, 2.0]).Median);
}
