using GptBench.Analysis.Store;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Progress;

/// <summary>What a person watching a sweep is told. Called only from the coordinator actor, one call at a time.</summary>
public interface IProgressSink
{
    void Started(SweepDoc sweep, int total, int alreadyDone);
    void TrialStarted(TrialSpec trial, string worker, int attempt);
    void TrialFinished(TrialSpec trial, IReadOnlyList<SampleDoc> samples);
    void TrialFailed(TrialSpec trial, string cause, bool willRetry);
    void Finished(SweepOutcome outcome);
}

public static class ProgressFormat
{
    public static string Describe(TrialSpec t) =>
        $"{t.ModelName} {t.Engine} {t.Dtype} {t.Device} in={t.InputTokens} out={t.OutputTokens}";

    public static string Summary(IReadOnlyList<SampleDoc> samples)
    {
        if (samples.Count == 0) return "";
        var ttft = samples.Select(s => s.TtftMs).Order().ElementAt(samples.Count / 2);
        var tps = samples.Select(s => s.TokensPerSecond).Order().ElementAt(samples.Count / 2);
        return $"ttft {ttft:0.00} ms, {tps:0} tok/s (median of {samples.Count})";
    }

    /// <summary>Remaining time from the pace so far; null until one trial has finished in this run.</summary>
    public static TimeSpan? Eta(TimeSpan elapsed, int finishedThisRun, int remaining) =>
        finishedThisRun == 0 ? null : elapsed / finishedThisRun * remaining;
}

public static class ProgressSinks
{
    /// <summary>The live display on a terminal; plain log lines when asked, or when stdout is not a terminal.</summary>
    public static IProgressSink ForConsole(bool plain) =>
        plain || Console.IsOutputRedirected ? new PlainProgress(Console.Out) : new LiveProgress();
}
