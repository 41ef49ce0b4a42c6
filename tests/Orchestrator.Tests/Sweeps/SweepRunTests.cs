using GptBench.Analysis.Store;

namespace GptBench.Orchestrator.Tests.Sweeps;

/// <summary>Real `gptbench run` processes with real engine processes (tiny model, CPU).</summary>
public class SweepRunTests
{
    static string Experiment(int inputs, int repeats, string engines = "[static]") => $"""
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
          output_tokens: [8]
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
        var file = dir.Write("e2e.yaml", Experiment(inputs: trialCount, repeats: repeats));
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
