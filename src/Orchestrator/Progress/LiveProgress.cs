using System.Diagnostics;
using GptBench.Analysis.Store;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Sweeps;
using Spectre.Console;

namespace GptBench.Orchestrator.Progress;

/// <summary>
/// A live display on a terminal: a bar with trials done/total, the current trial(s) and the ETA.
/// Events come from the coordinator; the display task renders the latest state it holds.
/// </summary>
public sealed class LiveProgress : IProgressSink, IDisposable
{
    readonly object gate = new();
    readonly Stopwatch clock = new();
    readonly Dictionary<string, string> current = [];
    readonly CancellationTokenSource stop = new();
    readonly Task display;
    readonly List<string> log = [];
    int total, done, failed, finishedThisRun;
    string title = "sweep";

    public LiveProgress()
    {
        display = Task.Run(() => AnsiConsole.Live(Render()).AutoClear(false).StartAsync(async ctx =>
        {
            while (!stop.IsCancellationRequested)
            {
                ctx.UpdateTarget(Render());
                try { await Task.Delay(200, stop.Token); } catch (TaskCanceledException) { }
            }
            ctx.UpdateTarget(Render());
        }));
    }

    public void Started(SweepDoc sweep, int total, int alreadyDone) => Update(() =>
    {
        this.total = total;
        done = alreadyDone;
        title = $"sweep {sweep.Id} ({sweep.Name})" + (alreadyDone > 0 ? $", resumed with {alreadyDone} done" : "");
        clock.Start();
    });

    public void TrialStarted(TrialSpec trial, string worker, int attempt) =>
        Update(() => current[worker] = ProgressFormat.Describe(trial) + (attempt > 1 ? $" (attempt {attempt})" : ""));

    public void TrialFinished(TrialSpec trial, IReadOnlyList<SampleDoc> samples) => Update(() =>
    {
        done++;
        finishedThisRun++;
        Forget(trial);
        log.Add($"[green]done[/] {Markup.Escape(ProgressFormat.Describe(trial))}: {Markup.Escape(ProgressFormat.Summary(samples))}");
    });

    public void TrialFailed(TrialSpec trial, string cause, bool willRetry) => Update(() =>
    {
        if (!willRetry) { done++; failed++; }
        Forget(trial);
        log.Add($"[red]failed[/] {Markup.Escape(ProgressFormat.Describe(trial))}: {Markup.Escape(cause.Split('\n')[0])}{(willRetry ? " (will retry)" : "")}");
    });

    public void Finished(SweepOutcome outcome)
    {
        Update(() => { current.Clear(); title += $": finished, {outcome.Done}/{outcome.Total} done, {outcome.Failed} failed"; });
        Dispose();
    }

    void Forget(TrialSpec trial)
    {
        foreach (var key in current.Where(kv => kv.Value.StartsWith(ProgressFormat.Describe(trial), StringComparison.Ordinal)).Select(kv => kv.Key).ToList())
            current.Remove(key);
    }

    void Update(Action change) { lock (gate) change(); }

    Spectre.Console.Rendering.IRenderable Render()
    {
        lock (gate)
        {
            var fraction = total == 0 ? 1 : (double)done / total;
            var eta = ProgressFormat.Eta(clock.Elapsed, finishedThisRun, total - done);
            var rows = new List<Spectre.Console.Rendering.IRenderable>
            {
                new Markup($"[bold]{Markup.Escape(title)}[/]"),
                new BreakdownChart().Width(60).AddItem("done", done - failed, Color.Green).AddItem("failed", failed, Color.Red)
                    .AddItem("left", total - done, Color.Grey).HideTagValues(),
                new Markup($"{done}/{total} trials ({fraction:P0}), elapsed {clock.Elapsed:hh\\:mm\\:ss}, eta {(eta is { } e ? e.ToString("hh\\:mm\\:ss") : "--:--:--")}"),
            };
            rows.AddRange(current.Select(kv => new Markup($"  [yellow]{Markup.Escape(kv.Key)}[/] {Markup.Escape(kv.Value)}")));
            rows.AddRange(log.TakeLast(8).Select(line => new Markup("  " + line)));
            return new Rows(rows);
        }
    }

    public void Dispose()
    {
        if (stop.IsCancellationRequested) return;
        stop.Cancel();
        display.Wait(TimeSpan.FromSeconds(2));
    }
}
