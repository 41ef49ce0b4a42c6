using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tests;

public class StatisticsTests
{
    [Fact]
    public void Median_quantiles_and_tukey_outlier_of_a_skewed_sample()
    {
        var s = Summary.Of([1, 2, 3, 4, 100]);

        Assert.Equal(5, s.Count);
        Assert.Equal(3, s.Median);
        Assert.Equal(22, s.Mean, 12);
        // Type 7: h = (n - 1) p, so p10 = 1 + 0.4 * (2 - 1) and p90 = 4 + 0.6 * (100 - 4).
        Assert.Equal(1.4, s.P10, 12);
        Assert.Equal(61.6, s.P90, 12);
        // Q1 = 2, Q3 = 4, IQR = 2: fences at 2 - 3 and 4 + 3.
        Assert.Equal(-1, s.LowerFence, 12);
        Assert.Equal(7, s.UpperFence, 12);
        Assert.Equal([100.0], s.Outliers);
    }

    [Fact]
    public void Confidence_interval_of_the_mean_uses_student_t_with_n_minus_1_degrees_of_freedom()
    {
        var s = Summary.Of([10, 12, 14, 16, 18]);

        // sd = sqrt(40 / 4); t(0.975, 4) = 2.776445; margin = t * sd / sqrt(5).
        double margin = 2.776445 * Math.Sqrt(10) / Math.Sqrt(5);
        Assert.Equal(14, s.Mean, 12);
        Assert.Equal(Math.Sqrt(10), s.StdDev, 12);
        Assert.Equal(14 - margin, s.CiLower, 5);
        Assert.Equal(14 + margin, s.CiUpper, 5);
        Assert.Empty(s.Outliers);
    }

    [Fact]
    public void A_single_value_has_no_spread_or_interval()
    {
        var s = Summary.Of([7]);

        Assert.Equal(7, s.Median);
        Assert.True(double.IsNaN(s.StdDev));
        Assert.True(double.IsNaN(s.CiLower) && double.IsNaN(s.CiUpper));
        Assert.False(s.IntervalSeparatedFrom(Summary.Of([100, 101])));
    }

    [Fact]
    public void Intervals_are_separated_only_when_they_share_no_point()
    {
        var low = Summary.Of([10, 11, 12]);
        Assert.True(low.IntervalSeparatedFrom(Summary.Of([50, 51, 52])));
        Assert.False(low.IntervalSeparatedFrom(Summary.Of([11, 12, 13])));
    }

    [Fact]
    public void Inter_token_latency_comes_from_gaps_between_consecutive_arrivals_of_every_sample()
    {
        var samples = new[]
        {
            new SampleDoc { TokenArrivalMs = [10, 12, 15, 16] }, // gaps 2, 3, 1
            new SampleDoc { TokenArrivalMs = [20, 24] },         // gap 4
            new SampleDoc { TokenArrivalMs = [30] },             // one token: no gap
        };

        var itl = LatencyPercentiles.Of(samples);

        Assert.Equal(4, itl.Count);
        // Sorted gaps 1, 2, 3, 4: p50 = 2.5, p90 = 3 + 0.7, p99 = 3 + 0.97.
        Assert.Equal(2.5, itl.P50, 12);
        Assert.Equal(3.7, itl.P90, 12);
        Assert.Equal(3.97, itl.P99, 12);
    }

    [Fact]
    public void Achieved_bandwidth_and_share_of_a_known_gpu_limit()
    {
        var sample = new SampleDoc
        {
            TtftMs = 5, TokenArrivalMs = [5, 6], TokensPerSecond = 1000,
            WeightBytesPerToken = 100_000_000, CacheBytesPerToken = 20_000_000,
        };

        var stats = TrialStatistics.Compute(new TrialDoc(), [sample, sample], "NVIDIA H100 80GB HBM3")!;

        Assert.Equal(120e9, stats.AchievedBytesPerSecond.Median, 3);
        Assert.Equal(3.0e12, stats.Limit!.BytesPerSecond);
        Assert.Equal(4.0, stats.PercentOfLimit!.Value, 9);
        Assert.Equal(25_000, stats.LimitTokensPerSecond!.Value, 6);
    }

    [Theory]
    [InlineData("NVIDIA H200", 4.8e12)]
    [InlineData("nvidia h100 pcie", 3.0e12)]
    public void Known_gpus_are_matched_by_part_of_their_name(string name, double bytesPerSecond) =>
        Assert.Equal(bytesPerSecond, GpuBandwidth.For(name)!.BytesPerSecond);

    [Theory]
    [InlineData("NVIDIA A10")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_gpus_and_cpus_have_no_limit(string? name)
    {
        Assert.Null(GpuBandwidth.For(name));
        var stats = TrialStatistics.Compute(new TrialDoc(), [TestStore.Sample(5, [1])], name)!;
        Assert.Null(stats.PercentOfLimit);
        Assert.Null(stats.LimitTokensPerSecond);
    }

    [Fact]
    public void A_trial_without_samples_has_no_statistics() =>
        Assert.Null(TrialStatistics.Compute(new TrialDoc(), [], "H100"));
}
