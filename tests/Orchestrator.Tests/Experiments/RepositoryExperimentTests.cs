using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Tests.Experiments;

/// <summary>The ready-made files in the repository's experiments/ folder.</summary>
public class RepositoryExperimentTests
{
    static Experiment Load(string name) => ExperimentLoader.Load(Path.Combine(AppContext.BaseDirectory, "experiments", name));

    [Fact]
    public void Quickstart_runs_tiny_on_two_engines_over_a_small_matrix()
    {
        var experiment = Load("quickstart.yaml");

        Assert.Equal("quickstart", experiment.Name);
        Assert.Equal(8, experiment.Trials.Count);
        Assert.All(experiment.Trials, trial =>
        {
            Assert.Equal("tiny", trial.ModelName);
            Assert.Equal(new ModelSpec(Preset: "tiny"), trial.Model);
            Assert.Equal(("fp32", "auto", 1, 3), (trial.Dtype, trial.Device, trial.Warmup, trial.Repeats));
            Assert.Equal(new SamplingSpec(Greedy: true), trial.Sampling);
        });
        Assert.Equal([EngineNames.Static, EngineNames.Eager], experiment.Trials.Select(trial => trial.Engine).Distinct());
        Assert.Equal(
            [(16, 16), (16, 32), (64, 16), (64, 32)],
            experiment.Trials.Where(trial => trial.Engine == EngineNames.Static).Select(trial => (trial.InputTokens, trial.OutputTokens)));
    }

    [Fact]
    public void Fused_runs_the_ladders_two_points_in_bf16_and_int8_for_the_fused_engine_alone()
    {
        var experiment = Load("fused.yaml");
        Assert.Equal(4, experiment.Trials.Count);
        Assert.All(experiment.Trials, trial => Assert.Equal((EngineNames.Fused, "gpt2", "cuda"), (trial.Engine, trial.ModelName, trial.Device)));
        Assert.Equal(
            [("bf16", 32, 256), ("bf16", 128, 32), ("int8", 32, 256), ("int8", 128, 32)],
            experiment.Trials.Select(trial => (trial.Dtype, trial.InputTokens, trial.OutputTokens)).Order());
    }

    [Fact]
    public void Two_workers_runs_each_point_with_three_seeds_so_both_workers_get_every_point()
    {
        var experiment = Load("two-workers.yaml");
        Assert.Equal(3 * 2 * 3, experiment.Trials.Count);
        Assert.Equal(3 * 2, experiment.Trials.Select(trial => trial.GroupKey).Distinct().Count());
        Assert.All(experiment.Trials.GroupBy(trial => (trial.Engine, trial.InputTokens, trial.OutputTokens)), point =>
            Assert.Equal([0L, 1L, 2L], point.Select(trial => trial.Model.Seed)));
        Assert.All(experiment.Trials, trial =>
            Assert.Equal(("gpt2", "bf16", "cuda", 3), (trial.ModelName, trial.Dtype, trial.Device, trial.Repeats)));
    }

    [Fact]
    public void Seed_figures_for_the_graph_engines_hold_both_sweeps_at_step_64()
    {
        var experiment = Load("seed-figures-graph-engines.yaml");
        var ttft = experiment.Trials.Where(trial => trial.OutputTokens == 32 && trial.InputTokens != 32).ToList();
        var throughput = experiment.Trials.Where(trial => trial.InputTokens == 32 && trial.OutputTokens != 32).ToList();
        Assert.Equal(64, experiment.Trials.Count);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 16 + 64 * i), ttft.Where(t => t.Engine == "fused").Select(t => t.InputTokens).Order());
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 16 + 64 * i), throughput.Where(t => t.Engine == "fused").Select(t => t.OutputTokens).Order());
        Assert.Equal(["cuda-graph", "fused"], experiment.Trials.Select(trial => trial.Engine).Distinct().Order());
    }

    [Fact]
    public void Seed_figures_hold_both_sweeps_for_every_engine_of_ours()
    {
        var experiment = Load("seed-figures.yaml");
        var steps = Enumerable.Range(0, 31).Select(step => 16 + 32 * step).ToList();
        var coarse = Enumerable.Range(0, 8).Select(step => 16 + 128 * step).ToList();

        foreach (var engine in EngineNames.Ours)
        {
            var trials = experiment.Trials.Where(trial => trial.Engine == engine).ToList();
            var ttft = trials.Where(trial => trial.Axes["sweep"] == "ttft").ToList();
            var throughput = trials.Where(trial => trial.Axes["sweep"].StartsWith("throughput")).ToList();

            Assert.Equal(steps, ttft.Select(trial => trial.InputTokens));
            Assert.All(ttft, trial => Assert.Equal(32, trial.OutputTokens));
            // The host-bound baselines take the throughput sweep at step 128 (see the file's comment).
            var fast = engine is EngineNames.CudaGraph or EngineNames.Fused;
            Assert.Equal(fast ? steps : coarse, throughput.Select(trial => trial.OutputTokens));
            Assert.All(throughput, trial => Assert.Equal(32, trial.InputTokens));
        }
        Assert.Equal(4 * 31 + 2 * 31 + 2 * 8, experiment.Trials.Count);
        Assert.All(experiment.Trials, trial =>
        {
            Assert.Equal(("gpt2", "bf16", "cuda", 1, 5), (trial.ModelName, trial.Dtype, trial.Device, trial.Warmup, trial.Repeats));
            Assert.Equal(new SamplingSpec(Greedy: false, Temperature: 0.5, TopK: 50), trial.Sampling);
        });
    }

    [Fact]
    public void Frameworks_file_puts_hf_engines_beside_ours_on_both_sweeps()
    {
        var experiment = Load("seed-figures-frameworks.yaml");
        Assert.Equal(7 * 2 * 8, experiment.Trials.Count);
        Assert.Equal(new HashSet<string>([.. EngineNames.Frameworks, .. EngineNames.Ours]), experiment.Trials.Select(t => t.Engine).ToHashSet());
    }

    [Fact]
    public void Seed_figures_trials_are_ordered_by_engine_group_and_record_their_axes()
    {
        var experiment = Load("seed-figures.yaml");

        Assert.Equal(Enumerable.Range(0, experiment.Trials.Count), experiment.Trials.Select(trial => trial.Ordinal));
        Assert.Equal(4, experiment.Trials.Select(trial => trial.GroupKey).Distinct().Count());
        Assert.Equal(
            new Dictionary<string, string> { ["sweep"] = "ttft", ["input_tokens"] = "16", ["output_tokens"] = "32", ["engine"] = "eager" },
            experiment.Trials[0].Axes);
        Assert.Equal(experiment.Trials.Count, experiment.Trials.Select(trial => trial.Hash).Distinct().Count());
    }
}
