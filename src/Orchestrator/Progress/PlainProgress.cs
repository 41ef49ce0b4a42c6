using System.Diagnostics;
using GptBench.Analysis.Store;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Progress;

/// <summary>One log line per event, for logs and pipes (stdout is not a terminal).</summary>
public sealed class PlainProgress(TextWriter output) : IProgressSink
{
    readonly Stopwatch clock = new();
    int total, done, finishedThisRun;

    public void Started(SweepDoc sweep, int total, int alreadyDone)
    {
        this.total = total;
        done = alreadyDone;
        clock.Start();
        var resumed = alreadyDone > 0 ? $", resuming with {alreadyDone} done" : "";
        Write($"sweep {sweep.Id} ({sweep.Name}): {total} trials{resumed}");
    }

    public void TrialStarted(TrialSpec trial, string worker, int attempt) =>
        Write($"[{done}/{total}] start {ProgressFormat.Describe(trial)} on {worker}{(attempt > 1 ? $" (attempt {attempt})" : "")}");

    public void TrialFinished(TrialSpec trial, IReadOnlyList<SampleDoc> samples)
    {
        done++;
        finishedThisRun++;
        var eta = ProgressFormat.Eta(clock.Elapsed, finishedThisRun, total - done);
        Write($"[{done}/{total}] done {ProgressFormat.Describe(trial)}: {ProgressFormat.Summary(samples)}{(eta is { } e ? $", eta {e:hh\\:mm\\:ss}" : "")}");
    }

    public void TrialFailed(TrialSpec trial, string cause, bool willRetry)
    {
        if (!willRetry) done++;
        var firstLine = cause.Split('\n')[0];
        Write($"[{done}/{total}] FAILED {ProgressFormat.Describe(trial)}: {firstLine}{(willRetry ? " (will retry)" : "")}");
    }

    public void Finished(SweepOutcome outcome) =>
        Write($"sweep {outcome.SweepId} finished: {outcome.Done}/{outcome.Total} done, {outcome.Failed} failed, in {clock.Elapsed:hh\\:mm\\:ss}");

    void Write(string line)
    {
        output.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
        output.Flush();
    }
}
