using GptBench.GpuWorker.Protocol;

namespace GptBench.Orchestrator.Experiments;

/// <summary>
/// A validated experiment file, expanded into its trials. <see cref="ContentHash"/> identifies the
/// experiment (name and trials), so re-running an unchanged file finds the sweep to resume.
/// </summary>
public sealed record Experiment(string Name, string File, string ContentHash, IReadOnlyList<TrialSpec> Trials);

/// <summary>
/// One point of the matrix: fixed parameters, run <see cref="Repeats"/> times after <see cref="Warmup"/> runs.
/// <see cref="Hash"/> is a content hash of every parameter, so it survives edits elsewhere in the file.
/// <see cref="Axes"/> holds the swept values as written (sweep name, input_tokens, ...), for reports.
/// </summary>
public sealed record TrialSpec(
    string Hash,
    int Ordinal,
    string ModelName,
    ModelSpec Model,
    string Engine,
    string Dtype,
    string Device,
    int InputTokens,
    int OutputTokens,
    SamplingSpec Sampling,
    int Warmup,
    int Repeats,
    long Seed,
    string? PromptFile,
    TimeSpan Timeout,
    IReadOnlyDictionary<string, string> Axes)
{
    /// <summary>Trials with the same key share one engine process: it loads the model once.</summary>
    public string GroupKey => $"{Canonical.Model(Model)}|{Engine}|{Dtype}|{Device}";
}
