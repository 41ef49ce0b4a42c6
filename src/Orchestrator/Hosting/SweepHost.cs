using Akka.Actor;
using Akka.Hosting;
using GptBench.Analysis.Store;
using GptBench.Orchestrator.Actors;
using GptBench.Orchestrator.Engines;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Sweeps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("gptbench", akka =>
        {
            akka.ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel);
            akka.WithActors((system, _) =>
            {
                var coordinator = system.ActorOf(
                    Props.Create(() => new SweepCoordinator(plan, store, progress, completion, maxAttempts, gitCommit)), "coordinator");
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
}
