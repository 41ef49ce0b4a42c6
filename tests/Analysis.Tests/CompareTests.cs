using GptBench.Analysis.Cli;
using GptBench.Analysis.Comparison;
using GptBench.Analysis.Queries;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tests;

public class CompareTests : IDisposable
{
    readonly TestStore store = new();

    public void Dispose() => store.Dispose();

    ComparisonResult Compare(string a, string b, params Metric[] metrics) =>
        Compare(a, b, SweepComparison.DefaultMinChange, metrics);

    ComparisonResult Compare(string a, string b, double minChange, params Metric[] metrics)
    {
        using var results = new ResultStore(store.DbPath, readOnly: true);
        var query = new ResultQuery(results);
        return SweepComparison.Compare(query, query.ResolveSweep(a), query.ResolveSweep(b), metrics, minChange);
    }

    (int Code, string Stdout) Cli(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = AnalysisVerbs.Compare([.. args, "--db", store.DbPath], stdout, stderr);
        Assert.True(code is 0 or 3, stderr.ToString());
        return (code, stdout.ToString());
    }

    [Fact]
    public void A_planted_30_percent_slowdown_is_a_regression_in_both_metrics_and_exits_3()
    {
        SeedSweeps.Add(store, "before", seed: 11, step: 320);
        SeedSweeps.Add(store, "after", seed: 12, step: 320, speed: 0.7);

        var result = Compare("before", "after", Metric.Ttft, Metric.Throughput);

        Assert.Equal(16, result.Rows.Count / 2);
        Assert.All(result.Rows, r => Assert.Equal(Verdict.Regression, r.Verdict));
        Assert.All(result.Rows.Where(r => r.Metric == Metric.Throughput), r =>
        {
            Assert.InRange(r.Ratio.Ratio, 0.66, 0.74);
            Assert.InRange(r.Ratio.Ratio, r.Ratio.Lower, r.Ratio.Upper);
        });
        var (code, stdout) = Cli("before", "after");
        Assert.Equal(AnalysisVerbs.RegressionFound, code);
        Assert.Contains("32 regressions", stdout);
        Assert.Contains("tokens_per_s B/A = 0.7", stdout);
    }

    [Fact]
    public void Two_sweeps_drawn_from_the_same_distribution_show_no_regression_and_exit_0()
    {
        SeedSweeps.Add(store, "monday", seed: 21, step: 320);
        SeedSweeps.Add(store, "tuesday", seed: 22, step: 320);

        var result = Compare("monday", "tuesday", Metric.Ttft, Metric.Throughput);

        Assert.Equal(32, result.Rows.Count);
        Assert.Equal(0, result.Count(Verdict.Regression));
        Assert.Equal(0, result.Count(Verdict.Improvement));
        Assert.All(result.Rows, r => Assert.InRange(r.Ratio.Ratio, 0.9, 1.1));
        Assert.Equal(0, Cli("monday", "tuesday").Code);
    }

    [Fact]
    public void A_faster_sweep_is_an_improvement_in_the_direction_each_metric_prefers()
    {
        SeedSweeps.Add(store, "old", seed: 31, step: 480);
        SeedSweeps.Add(store, "new", seed: 32, step: 480, speed: 1.3);

        var result = Compare("old", "new", Metric.Ttft, Metric.Throughput);

        Assert.All(result.Rows, r => Assert.Equal(Verdict.Improvement, r.Verdict));
        Assert.All(result.Rows.Where(r => r.Metric == Metric.Ttft), r => Assert.True(r.Ratio.Ratio < 1));
        Assert.All(result.Rows.Where(r => r.Metric == Metric.Throughput), r => Assert.True(r.Ratio.Ratio > 1));
        Assert.Equal(0, Cli("old", "new", "--metric", "ttft").Code);
    }

    /// <summary>A sweep of one decode trial, 5 samples of 512 tokens at ~<paramref name="tokensPerSecond"/> with 1% noise a token.</summary>
    void AddDecodeSweep(string id, int seed, double tokensPerSecond)
    {
        var rng = new Random(seed);
        var samples = Enumerable.Range(0, 5).Select(_ => TestStore.Sample(0.5,
            Enumerable.Range(0, 511).Select(_ => 1000 / tokensPerSecond * (1 + 0.01 * SeedSweeps.Normal(rng))).ToList(),
            cacheBytes: 36_864L * 544)).ToList();
        store.AddSweep(id, TestStore.Start, TestStore.H100, [(TestStore.Trial("gpt2", "fused", 32, 512), samples)]);
    }

    [Fact]
    public void A_change_apart_but_under_the_minimum_is_small_and_exits_0()
    {
        // 0.5% slower with intervals far apart, as one GPU's level moving between minutes reads (docs/results/card-drift/).
        AddDecodeSweep("morning", seed: 41, tokensPerSecond: 6000);
        AddDecodeSweep("noon", seed: 42, tokensPerSecond: 5970);

        var row = Assert.Single(Compare("morning", "noon", Metric.Throughput).Rows);
        Assert.Equal(Verdict.Small, row.Verdict);
        Assert.InRange(row.Ratio.Ratio, 0.994, 0.996);
        Assert.Equal(Verdict.Regression, Assert.Single(Compare("morning", "noon", 0.0, Metric.Throughput).Rows).Verdict);

        var (code, stdout) = Cli("morning", "noon", "--metric", "throughput");
        Assert.Equal(0, code);
        Assert.Contains("0 regressions, 0 improvements, 0 same, 1 small (apart, under 1%)", stdout);
        Assert.Equal(AnalysisVerbs.RegressionFound, Cli("morning", "noon", "--metric", "throughput", "--min-change", "0.4").Code);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("100")]
    [InlineData("one")]
    public void A_minimum_change_outside_0_to_100_percent_is_refused(string value)
    {
        AddDecodeSweep("a", seed: 51, tokensPerSecond: 6000);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = AnalysisVerbs.Compare(["a", "a", "--min-change", value, "--db", store.DbPath], stdout, stderr);
        Assert.Equal(2, code);
        Assert.Contains("--min-change", stderr.ToString());
    }

    [Fact]
    public void Trials_are_matched_by_parameters_and_the_rest_are_named()
    {
        IReadOnlyList<SampleDoc> Samples() => [TestStore.Sample(5, [1]), TestStore.Sample(6, [1])];
        store.AddSweep("a", TestStore.Start, TestStore.H100,
            [(TestStore.Trial("gpt2", "eager", 16, 32), Samples()), (TestStore.Trial("gpt2", "eager", 64, 32), Samples())]);
        var cpu = TestStore.Trial("gpt2", "eager", 16, 32, device: "cpu");
        store.AddSweep("b", TestStore.Start, TestStore.H100,
            [(TestStore.Trial("gpt2", "eager", 16, 32), Samples()), (cpu, Samples())]);

        var result = Compare("a", "b", Metric.Throughput);

        var row = Assert.Single(result.Rows);
        Assert.Equal(16, row.Key.InputTokens);
        Assert.Equal(64, Assert.Single(result.OnlyInA).InputTokens);
        Assert.Equal("cpu", Assert.Single(result.OnlyInB).Device);
        Assert.Contains("only in B (1): gpt2|eager|fp16 cpu 16 in 32 out greedy", Cli("a", "b").Stdout);
    }

    [Fact]
    public void The_bootstrap_interval_is_the_same_every_time()
    {
        double[] a = [10, 11, 12, 13, 14], b = [12, 13, 15, 16, 17];
        Assert.Equal(RatioInterval.OfMedians(a, b), RatioInterval.OfMedians(a, b));
        Assert.Equal(15.0 / 12, RatioInterval.OfMedians(a, b).Ratio, 12);
    }
}
