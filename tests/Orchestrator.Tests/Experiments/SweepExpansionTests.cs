using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Tests.Experiments;

/// <summary>How a matrix turns into trials: ranges, cross, zip, union, and the experiment-wide lists.</summary>
public sealed class SweepExpansionTests : IDisposable
{
    const string Header = "models: [tiny]\nengines: [static]\n";

    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    static IEnumerable<(int, int)> Tokens(Experiment experiment) =>
        experiment.Trials.Select(trial => (trial.InputTokens, trial.OutputTokens));

    [Theory]
    [InlineData("{from: 16, to: 80, step: 32}", new[] { 16, 48, 80 })]
    [InlineData("{from: 16, to: 79, step: 32}", new[] { 16, 48 })]
    [InlineData("{from: 16, to: 16, step: 32}", new[] { 16 })]
    [InlineData("{from: 3, to: 6}", new[] { 3, 4, 5, 6 })]
    [InlineData("[64, 16]", new[] { 64, 16 })]
    [InlineData("8", new[] { 8 })]
    public void Token_axes_take_ranges_lists_and_single_values(string values, int[] expected)
    {
        var experiment = folder.Load(Header + $"matrix: {{input_tokens: {values}, output_tokens: 4}}");

        Assert.Equal(expected, experiment.Trials.Select(trial => trial.InputTokens));
    }

    [Fact]
    public void Cross_takes_every_combination_first_axis_outermost()
    {
        var experiment = folder.Load(Header + """
            sweeps:
              - cross: {output_tokens: [1, 2], input_tokens: [10, 20, 30]}
            """);

        Assert.Equal([(10, 1), (20, 1), (30, 1), (10, 2), (20, 2), (30, 2)], Tokens(experiment));
    }

    [Fact]
    public void Zip_pairs_lists_element_by_element()
    {
        var experiment = folder.Load(Header + """
            sweeps:
              - zip:
                  input_tokens: {from: 100, to: 300, step: 100}
                  output_tokens: [1, 2, 3]
            """);

        Assert.Equal([(100, 1), (200, 2), (300, 3)], Tokens(experiment));
    }

    [Fact]
    public void A_sweep_with_cross_and_zip_crosses_the_two()
    {
        var experiment = folder.Load("models: [tiny]\n" + """
            engines: [static]
            sweeps:
              - cross: {engine: [eager, static]}
                zip: {input_tokens: [10, 20], output_tokens: [1, 2]}
            """);

        Assert.Equal(
            [("eager", 10, 1), ("eager", 20, 2), ("static", 10, 1), ("static", 20, 2)],
            experiment.Trials.Select(trial => (trial.Engine, trial.InputTokens, trial.OutputTokens)));
    }

    [Fact]
    public void Sweeps_are_unioned_and_a_repeated_point_kept_once_as_first_written()
    {
        var experiment = folder.Load(Header + """
            sweeps:
              - name: ttft
                cross: {input_tokens: [16, 32, 64], output_tokens: 32}
              - name: throughput
                cross: {input_tokens: 32, output_tokens: [16, 32, 64]}
            """);

        Assert.Equal([(16, 32), (32, 32), (64, 32), (32, 16), (32, 64)], Tokens(experiment));
        Assert.Equal("ttft", experiment.Trials.Single(trial => (trial.InputTokens, trial.OutputTokens) == (32, 32)).Axes["sweep"]);
        Assert.Equal([0, 1, 2, 3, 4], experiment.Trials.Select(trial => trial.Ordinal));
    }

    [Fact]
    public void Duplicates_within_one_list_are_removed()
    {
        var experiment = folder.Load(Header + "matrix: {input_tokens: [16, 16], output_tokens: 8}");

        Assert.Single(experiment.Trials);
    }

    [Fact]
    public void Experiment_lists_are_crossed_with_the_matrix_and_each_group_kept_together()
    {
        var experiment = folder.Load("""
            models: [tiny, {preset: tiny, seed: 7}]
            engines: [eager, static]
            dtypes: [fp32, bf16]
            matrix: {input_tokens: [1, 2], output_tokens: 3}
            """);

        Assert.Equal(16, experiment.Trials.Count);
        var groups = experiment.Trials.Select(trial => trial.GroupKey).ToList();
        Assert.Equal(8, groups.Distinct().Count());
        // Each group's trials sit next to each other: the key changes exactly at group boundaries.
        Assert.Equal(7, groups.Zip(groups.Skip(1)).Count(pair => pair.First != pair.Second));
        Assert.Equal([0L, 7L], experiment.Trials.Select(trial => trial.Model.Seed).Distinct());
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["sweep"] = "matrix", ["input_tokens"] = "1", ["output_tokens"] = "3", ["model"] = "tiny", ["engine"] = "eager", ["dtype"] = "fp32",
            },
            experiment.Trials[0].Axes);
    }

    [Fact]
    public void A_sweep_may_set_its_own_engines_in_place_of_the_experiments()
    {
        var experiment = folder.Load("""
            models: [tiny]
            engines: [eager, static]
            sweeps:
              - name: ladder
                cross: {engine: static, input_tokens: 8, output_tokens: 8}
              - name: all
                cross: {input_tokens: 16, output_tokens: 8}
            """);

        Assert.Equal(
            [("static", 8), ("static", 16), ("eager", 16)],
            experiment.Trials.Select(trial => (trial.Engine, trial.InputTokens)));
    }

    [Fact]
    public void Defaults_fill_what_the_file_leaves_out()
    {
        var experiment = folder.Load("model: tiny\nengine: eager\nmatrix: {input_tokens: 4, output_tokens: 4}", "defaults.yaml");
        var trial = Assert.Single(experiment.Trials);

        Assert.Equal("defaults", experiment.Name);
        Assert.Equal(Path.Combine(folder.Root, "defaults.yaml"), experiment.File);
        Assert.Equal(("fp32", "auto", 1, 3, 0L), (trial.Dtype, trial.Device, trial.Warmup, trial.Repeats, trial.Seed));
        Assert.Equal(new SamplingSpec(), trial.Sampling);
        Assert.Equal(TimeSpan.FromSeconds(600), trial.Timeout);
        Assert.Null(trial.PromptFile);
        Assert.Equal(new Dictionary<string, string> { ["sweep"] = "matrix", ["input_tokens"] = "4", ["output_tokens"] = "4" }, trial.Axes);
    }

    [Fact]
    public void Settings_are_read_as_written()
    {
        folder.Write("prompts/story.txt", "Once upon a time");
        var experiment = folder.Load(Header + """
            device: cpu
            sampling: {temperature: 0.8, top_k: 40}
            warmup: 0
            repeats: 7
            seed: -5
            timeout_s: 2.5
            prompt_file: prompts/story.txt
            matrix: {input_tokens: 4, output_tokens: 4}
            """);
        var trial = Assert.Single(experiment.Trials);

        Assert.Equal(("cpu", 0, 7, -5L), (trial.Device, trial.Warmup, trial.Repeats, trial.Seed));
        Assert.Equal(new SamplingSpec(Greedy: false, Temperature: 0.8, TopK: 40), trial.Sampling);
        Assert.Equal(TimeSpan.FromSeconds(2.5), trial.Timeout);
        Assert.Equal(Path.Combine(folder.Root, "prompts", "story.txt"), trial.PromptFile);
    }

    [Fact]
    public void A_checkpoint_folder_is_found_relative_to_the_file_and_its_context_read_from_config_json()
    {
        folder.Write("checkpoints/my-gpt/config.json", """{"n_positions": 40, "n_layer": 2}""");
        folder.Write("checkpoints/default-context/config.json", "{}");
        var experiment = folder.Load("""
            models: [{path: checkpoints/my-gpt}]
            engines: [static]
            sweeps:
              - cross: {input_tokens: 16, output_tokens: 24}
              - cross: {model: {path: checkpoints/default-context}, input_tokens: 1000, output_tokens: 24}
            """);

        Assert.Equal([("my-gpt", 16), ("default-context", 1000)], experiment.Trials.Select(trial => (trial.ModelName, trial.InputTokens)));
        Assert.Equal(new ModelSpec(Path: Path.Combine(folder.Root, "checkpoints", "my-gpt")), experiment.Trials[0].Model);
        // 40 positions: one token more than the first sweep asks for is too many.
        var error = Assert.Throws<ExperimentException>(() => folder.Load("""
            models: [{path: checkpoints/my-gpt}]
            engines: [static]
            matrix: {input_tokens: 17, output_tokens: 24}
            """));
        Assert.Contains("expected at most 40 tokens", error.Reason);
    }

    [Fact]
    public void Device_auto_is_kept_for_the_worker_to_resolve()
    {
        var experiment = folder.Load("models: [tiny]\nengines: [cuda-graph]\ndevice: auto\nmatrix: {input_tokens: 4, output_tokens: 4}");

        Assert.Equal("auto", Assert.Single(experiment.Trials).Device);
    }
}
