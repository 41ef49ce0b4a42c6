using GptBench.Analysis.Queries;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tests;

public class QueryTests : IDisposable
{
    readonly TestStore store = new();
    readonly ResultStore results;
    readonly ResultQuery query;

    /// <summary>Two sweeps on an H100 box ten days apart and one on a CPU laptop, with one pending trial.</summary>
    public QueryTests()
    {
        IReadOnlyList<SampleDoc> Samples() => [TestStore.Sample(5, [1, 1]), TestStore.Sample(6, [1, 2]), TestStore.Sample(7, [2, 2])];
        store.AddSweep("alpha-001", TestStore.Start, TestStore.H100,
        [
            (TestStore.Trial("gpt2", "eager", 16, 32), Samples()),
            (TestStore.Trial("gpt2", "eager", 48, 32), Samples()),
            (TestStore.Trial("gpt2", "graph", 16, 32), Samples()),
        ]);
        store.AddSweep("alpha-002", TestStore.Start.AddDays(10), TestStore.H100,
        [
            (TestStore.Trial("gpt2-medium", "graph", 16, 32, dtype: "bf16"), Samples()),
        ]);
        store.AddSweep("beta-001", TestStore.Start.AddDays(20), TestStore.Laptop,
        [
            (TestStore.Trial("gpt2", "eager", 16, 32, dtype: "fp32", device: "cpu"), Samples()),
            (TestStore.Trial("gpt2", "eager", 48, 32, dtype: "fp32", device: "cpu"), []),
        ]);
        results = new ResultStore(store.DbPath, readOnly: true);
        query = new ResultQuery(results);
    }

    public void Dispose()
    {
        results.Dispose();
        store.Dispose();
    }

    string[] TrialIds(ResultFilter filter) => query.Trials(filter).Select(r => r.Trial.Id).ToArray();

    [Fact]
    public void No_filter_lists_every_trial_in_sweep_then_trial_order()
    {
        Assert.Equal(6, query.Trials(ResultFilter.All).Count);
        Assert.Equal(["alpha-001", "alpha-002", "beta-001"], query.Sweeps(ResultFilter.All).Select(s => s.Id));
        Assert.Equal(15, query.Samples(ResultFilter.All).Count);
    }

    [Fact]
    public void Exact_fields_select_trials()
    {
        Assert.Equal(["alpha-001/t000eager16x32", "alpha-001/t001eager48x32"], TrialIds(new ResultFilter { Engine = "eager", Model = "gpt2", Dtype = "fp16" }));
        Assert.Equal(["alpha-002/t000graph16x32"], TrialIds(new ResultFilter { Model = "gpt2-medium" }));
        Assert.Equal(["alpha-002/t000graph16x32"], TrialIds(new ResultFilter { Dtype = "bf16", Engine = "graph" }));
        Assert.Equal(2, TrialIds(new ResultFilter { Device = "cpu" }).Length);
        Assert.Equal(TrialIds(new ResultFilter { Engine = "eager" }), TrialIds(new ResultFilter { Engine = "EAGER" }));
        Assert.Empty(TrialIds(new ResultFilter { Engine = "eag" }));
    }

    [Fact]
    public void Gpu_matches_part_of_the_name_and_host_the_environment()
    {
        Assert.Equal(4, TrialIds(new ResultFilter { Gpu = "h100" }).Length);
        // The pending trial never ran, so its host is the sweep's.
        Assert.Equal(2, TrialIds(new ResultFilter { Host = "laptop" }).Length);
        Assert.Empty(TrialIds(new ResultFilter { Gpu = "H200" }));
    }

    [Fact]
    public void Axis_values_select_trials()
    {
        var filter = new ResultFilter { Axes = new Dictionary<string, string> { ["input_tokens"] = "48", ["engine"] = "EAGER" } };
        Assert.Equal(["alpha-001/t001eager48x32", "beta-001/t001eager48x32"], TrialIds(filter));
        Assert.Empty(TrialIds(new ResultFilter { Axes = new Dictionary<string, string> { ["no_such_axis"] = "1" } }));
    }

    [Fact]
    public void Dates_select_by_when_results_were_taken()
    {
        var lastTwo = new ResultFilter { Since = TestStore.Start.AddDays(5) };
        Assert.Equal(["alpha-002", "beta-001"], query.Sweeps(lastTwo).Select(s => s.Id));
        // The pending trial has not finished, so no date range holds it.
        Assert.Equal(2, TrialIds(lastTwo).Length);
        var firstOnly = new ResultFilter { Until = TestStore.Start.AddDays(1) };
        Assert.Equal(["alpha-001"], query.Sweeps(firstOnly).Select(s => s.Id));
        Assert.Equal(9, query.Samples(firstOnly).Count);
        Assert.Empty(query.Samples(new ResultFilter { Since = TestStore.Start.AddDays(30) }));
    }

    [Fact]
    public void Sweeps_are_listed_when_one_of_their_trials_matches()
    {
        Assert.Equal(["alpha-001", "beta-001"], query.Sweeps(new ResultFilter { Engine = "eager" }).Select(s => s.Id));
    }

    [Fact]
    public void Sweep_ids_resolve_by_unique_prefix_or_latest()
    {
        Assert.Equal("beta-001", query.ResolveSweep("b").Id);
        Assert.Equal("alpha-002", query.ResolveSweep("alpha-002").Id);
        Assert.Equal("beta-001", query.ResolveSweep("latest").Id);
        Assert.Contains("ambiguous", Assert.Throws<BadQueryException>(() => query.ResolveSweep("alpha")).Message);
        Assert.Throws<BadQueryException>(() => query.ResolveSweep("gamma"));
        Assert.Equal(3, TrialIds(new ResultFilter { Sweep = "alpha-001" }).Length);
    }

    [Fact]
    public void Statistics_come_from_the_trials_samples()
    {
        var rows = query.Trials(new ResultFilter { Sweep = "beta" });
        var measured = query.Statistics(rows[0])!;
        Assert.Equal(6, measured.Ttft.Median);
        Assert.Equal(3, measured.Ttft.Count);
        Assert.Null(measured.Limit);
        Assert.Null(query.Statistics(rows[1]));
    }
}
