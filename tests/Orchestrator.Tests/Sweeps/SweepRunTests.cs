using GptBench.Analysis.Store;

namespace GptBench.Orchestrator.Tests.Sweeps;

/// <summary>Real `gptbench run` processes with real engine processes (tiny model, CPU).</summary>
public class SweepRunTests
{
    static string Experiment(int inputs, int repeats, string engines = "[static]", int outputTokens = 8) => $"""
        name: e2e
        models: [tiny]
        engines: {engines}
        dtype: fp32
        device: cpu
        sampling: {"{"}greedy: true{"}"}
        warmup: 0
        repeats: {repeats}
        seed: 7
        timeout_s: 60
        matrix:
          input_tokens: {"{"}from: 8, to: {8 * inputs}, step: 8{"}"}
          output_tokens: [{outputTokens}]
        """;

    [Fact]
    public void Run_stores_one_sample_per_repeat_and_resume_skips_finished_trials()
    {
        using var dir = new TempFolder();
        var file = dir.Write("e2e.yaml", Experiment(inputs: 2, repeats: 2));
        var (code, output) = GptbenchProcess.Run(dir.Root, "run", file, "--db", "r.db", "--plain");
        Assert.True(code == 0, output);

        var (again, output2) = GptbenchProcess.Run(dir.Root, "run", file, "--db", "r.db", "--plain");
        Assert.True(again == 0, output2);
        Assert.Contains("resuming with 2 done", output2);

        using var store = new ResultStore(Path.Combine(dir.Root, "r.db"), readOnly: true);
        Assert.Single(store.Sweeps.FindAll());
        var trials = store.Trials.FindAll().ToList();
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialStatus.Done, t.Status));
        var samples = store.Samples.FindAll().ToList();
        Assert.Equal(4, samples.Count);
        Assert.All(samples, s =>
        {
            Assert.True(s.TtftMs > 0);
            Assert.True(s.TokensPerSecond > 0);
            Assert.Equal(8, s.TokenArrivalMs.Length);
            Assert.Equal(s.TtftMs, s.TokenArrivalMs[0]);
        });
        var environment = Assert.Single(store.Environments.FindAll());
        Assert.Equal("cpu", environment.Device);
        Assert.False(string.IsNullOrEmpty(environment.TorchSharp));
    }

    [Fact]
    public void Two_cpu_slots_share_the_trials_and_every_sample_names_its_slot_and_device()
    {
        const int trialCount = 4, repeats = 2;
        using var dir = new TempFolder();
        var file = dir.Write("e2e.yaml", Experiment(inputs: trialCount, repeats: repeats));
        var (code, output) = GptbenchProcess.Run(dir.Root, "run", file, "--db", "r.db", "--plain", "--cpu-slots", "2");
        Assert.True(code == 0, output);

        using (var store = new ResultStore(Path.Combine(dir.Root, "r.db"), readOnly: true))
        {
            var trials = store.Trials.FindAll().ToList();
            Assert.Equal(trialCount, trials.Count);
            Assert.All(trials, t => Assert.Equal((TrialStatus.Done, 1), (t.Status, t.Attempts))); // no trial ran twice
            Assert.Equal(["cpu0", "cpu1"], trials.Select(t => t.Worker).Distinct().Order()); // both workers pulled trials
            StoreAssertions.AssertNoHalfTrials(store, repeats);
            var environment = Assert.Single(store.Environments.FindAll()); // both engines saw the same CPU and no GPU
            Assert.Equal(("cpu", null, null), (environment.Device, environment.GpuUuid, environment.GpuCount));
        }

        var export = CsvRows(dir, "export");
        Assert.Equal(trialCount * repeats, export.Count);
        Assert.All(export, row => Assert.Contains(row["slot"], new[] { "cpu0", "cpu1" }));

        var slots = CsvRows(dir, "slots");
        Assert.Equal(trialCount, slots.Count); // one row per point: each point was one trial on one slot
        Assert.Equal(trialCount * repeats, slots.Sum(row => int.Parse(row["samples"])));
        Assert.All(slots, row => Assert.Equal(("cpu", "1"), (row["device"], row["trials"])));
    }

    /// <summary>`gptbench results WHAT --format csv` as rows of column name to value (no value here holds a comma).</summary>
    static List<Dictionary<string, string>> CsvRows(TempFolder dir, string what)
    {
        var (code, csv) = GptbenchProcess.Run(dir.Root, "results", what, "--db", "r.db", "--format", "csv");
        Assert.True(code == 0, csv);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(line => header.Zip(line.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    [Fact]
    public void Fresh_starts_a_new_sweep()
    {
        using var dir = new TempFolder();
        var file = dir.Write("e2e.yaml", Experiment(inputs: 1, repeats: 1));
        Assert.Equal(0, GptbenchProcess.Run(dir.Root, "run", file, "--db", "r.db", "--plain").Code);
        Assert.Equal(0, GptbenchProcess.Run(dir.Root, "run", file, "--db", "r.db", "--plain", "--fresh").Code);
        using var store = new ResultStore(Path.Combine(dir.Root, "r.db"), readOnly: true);
        Assert.Equal(2, store.Sweeps.Count());
        Assert.Equal(2, store.Samples.Count());
    }

    [Fact]
    public void Sigkill_mid_sweep_then_resume_gives_exact_sample_count_without_duplicates_or_half_trials()
    {
        const int trialCount = 8, repeats = 3;
        using var dir = new TempFolder();
        // 64 tokens, 3 repeats: ~0.6 s a trial on a CPU, so the five trials after the third outlast the kill
        // (at 8, a loaded two-core CI machine once finished all eight before it landed).
        var file = dir.Write("e2e.yaml", Experiment(inputs: trialCount, repeats: repeats, outputTokens: 64));
        using (var first = new GptbenchProcess(dir.Root, null, "run", file, "--db", "r.db", "--plain"))
        {
            Assert.True(first.WaitForLine(l => l.Contains($"[3/{trialCount}] done"), TimeSpan.FromMinutes(3)), first.Output);
            first.KillHard();
            first.WaitForExit(TimeSpan.FromSeconds(30));
        }
        using (var probe = new ResultStore(Path.Combine(dir.Root, "r.db"), readOnly: true))
        {
            var doneBefore = probe.Trials.Count(t => t.Status == TrialStatus.Done);
            Assert.InRange(doneBefore, 3, trialCount - 1);
            StoreAssertions.AssertNoHalfTrials(probe, repeats);
        }

        var (code, output) = GptbenchProcess.Run(dir.Root, "run", file, "--db", "r.db", "--plain");
        Assert.True(code == 0, output);

        using var store = new ResultStore(Path.Combine(dir.Root, "r.db"), readOnly: true);
        Assert.Single(store.Sweeps.FindAll());
        Assert.Equal(trialCount, store.Trials.Count(t => t.Status == TrialStatus.Done));
        Assert.Equal(trialCount * repeats, store.Samples.Count());
        StoreAssertions.AssertNoHalfTrials(store, repeats);
    }
}
