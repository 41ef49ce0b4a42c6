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
    public void Seed_figures_hold_both_sweeps_for_three_engines()
    {
        var experiment = Load("seed-figures.yaml");
        var steps = Enumerable.Range(0, 31).Select(step => 16 + 32 * step).ToList();

        Assert.Equal(3 * 62, experiment.Trials.Count);
        foreach (var engine in new[] { EngineNames.Eager, EngineNames.Static, EngineNames.CudaGraph })
        {
            var trials = experiment.Trials.Where(trial => trial.Engine == engine).ToList();
            var ttft = trials.Where(trial => trial.Axes["sweep"] == "ttft").ToList();
            var throughput = trials.Where(trial => trial.Axes["sweep"] == "throughput").ToList();

            Assert.Equal(62, trials.Count);
            Assert.Equal(steps, ttft.Select(trial => trial.InputTokens));
            Assert.All(ttft, trial => Assert.Equal(32, trial.OutputTokens));
            Assert.Equal(steps, throughput.Select(trial => trial.OutputTokens));
            Assert.All(throughput, trial => Assert.Equal(32, trial.InputTokens));
        }
        Assert.All(experiment.Trials, trial =>
        {
            Assert.Equal(("gpt2", "bf16", "cuda", 2, 5), (trial.ModelName, trial.Dtype, trial.Device, trial.Warmup, trial.Repeats));
            Assert.Equal(new SamplingSpec(Greedy: false, Temperature: 0.5, TopK: 50), trial.Sampling);
        });
    }

    [Fact]
    public void Seed_figures_trials_are_ordered_by_engine_group_and_record_their_axes()
    {
        var experiment = Load("seed-figures.yaml");

        Assert.Equal(Enumerable.Range(0, experiment.Trials.Count), experiment.Trials.Select(trial => trial.Ordinal));
        Assert.Equal(3, experiment.Trials.Select(trial => trial.GroupKey).Distinct().Count());
        Assert.Equal(
            new Dictionary<string, string> { ["sweep"] = "ttft", ["input_tokens"] = "16", ["output_tokens"] = "32", ["engine"] = "eager" },
            experiment.Trials[0].Axes);
        Assert.Equal(experiment.Trials.Count, experiment.Trials.Select(trial => trial.Hash).Distinct().Count());
    }
}
