using Akka.Actor;
using Akka.Hosting;
using GptBench.Analysis.Store;
using GptBench.Orchestrator.Actors;
using GptBench.Orchestrator.Engines;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Sweeps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GptBench.Orchestrator.Hosting;

/// <summary>
/// The single-machine case: a generic host running an actor system with the sweep coordinator and
/// one worker actor per slot. Returns when the sweep is finished (or the process is asked to stop).
/// </summary>
public static class SweepHost
{
    public static async Task<SweepOutcome?> RunAsync(SweepPlan plan, ResultStore store, IReadOnlyList<WorkerSlot> slots,
        IProgressSink progress, int maxAttempts, string gitCommit)
    {
        var completion = new TaskCompletionSource<SweepOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<SweepDoc, IEnumerable<IProgressSink>> sinks = _ => [progress, new CompletionSink(completion)];
        IReadOnlyList<SweepPlan> plans = [plan];
        var builder = NodeHosting.NewBuilder();
        builder.Services.AddAkka(Cluster.ClusterSetup.SystemName, akka =>
        {
            akka.WithWarningLogs();
            akka.WithActors((system, _) =>
            {
                var coordinator = system.ActorOf(
                    Props.Create(() => new SweepCoordinator(store, plans, sinks, maxAttempts, gitCommit)), "coordinator");
                foreach (var slot in slots)
                    system.ActorOf(Props.Create(() => new TrialWorker(coordinator, slot)), $"worker-{slot.Name}");
            });
        });
        using var host = builder.Build();
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource();
        using var _ = lifetime.ApplicationStopping.Register(() => stopped.TrySetResult());
        await Task.WhenAny(completion.Task, stopped.Task);
        await host.StopAsync();
        return completion.Task.IsCompletedSuccessfully ? completion.Task.Result : null;
    }

    /// <summary>Completes when the sweep finishes; nothing else.</summary>
    sealed class CompletionSink(TaskCompletionSource<SweepOutcome> completion) : IProgressSink
    {
        public void Started(SweepDoc sweep, int total, int alreadyDone) { }
        public void TrialStarted(Experiments.TrialSpec trial, string worker, int attempt) { }
        public void TrialFinished(Experiments.TrialSpec trial, IReadOnlyList<SampleDoc> samples) { }
        public void TrialFailed(Experiments.TrialSpec trial, string cause, bool willRetry) { }
        public void Finished(SweepOutcome outcome) => completion.TrySetResult(outcome);
    }
}
