using GptBench.Analysis.Cli;
using GptBench.Analysis.Comparison;
using GptBench.Analysis.Queries;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tests;

public class CompareTests : IDisposable
{
    readonly TestStore store = new();

    public void Dispose() => store.Dispose();

    ComparisonResult Compare(string a, string b, params Metric[] metrics)
    {
        using var results = new ResultStore(store.DbPath, readOnly: true);
        var query = new ResultQuery(results);
        return SweepComparison.Compare(query, query.ResolveSweep(a), query.ResolveSweep(b), metrics);
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
