using Akka.Actor;
using GptBench.Orchestrator.Cli;
using GptBench.Orchestrator.Engines;
using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Actors;

/// <summary>
/// One per GPU (or CPU slot). Pulls a trial from the coordinator whenever it is idle, so a fast slot
/// does more and nothing queues behind a dead one. Keeps its engine process warm across the trials of
/// one group; any failure stops that process and the next trial gets a fresh one.
/// </summary>
public sealed class TrialWorker : ReceiveActor
{
    readonly IActorRef coordinator;
    readonly WorkerSlot slot;
    IActorRef? engine;
    string? engineGroup;
    TrialSpec? running;

    public TrialWorker(IActorRef coordinator, WorkerSlot slot)
    {
        this.coordinator = coordinator;
        this.slot = slot;

        Receive<TrialAssignment>(OnAssignment);
        Receive<EngineTrialSucceeded>(done =>
        {
            running = null;
            coordinator.Tell(new TrialSucceeded(done.TrialHash, done.Samples, done.Environment, slot.Name, BuildInfo.GitCommit));
            AskForWork();
        });
        Receive<EngineTrialFailed>(failed =>
        {
            running = null;
            StopEngine(); // the engine stops itself too; forget it now so the next trial starts a fresh one
            coordinator.Tell(new TrialFailed(failed.TrialHash, failed.Cause, slot.Name));
            AskForWork();
        });
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(engine)) return;
            engine = null;
            engineGroup = null;
            if (running is null) return;
            // The engine actor died without reporting: its trial failed.
            var trial = running;
            running = null;
            coordinator.Tell(new TrialFailed(trial.Hash, "engine process actor stopped unexpectedly", slot.Name));
            AskForWork();
        });
        Receive<NoWorkLeft>(_ => StopEngine());
    }

    protected override void PreStart() => AskForWork();

    void AskForWork() => coordinator.Tell(new RequestTrial(slot.Name, engineGroup, HasGpu: slot.Gpu is not null));

    void OnAssignment(TrialAssignment assignment)
    {
        var trial = assignment.Trial;
        if (engine is null || engineGroup != trial.GroupKey)
        {
            StopEngine();
            var launch = EngineLauncher.For(slot, trial.Model, trial.ModelName, trial.Engine, trial.Dtype, trial.Device);
            engine = Context.ActorOf(Props.Create(() => new EngineProcess(launch)), $"engine-{Guid.NewGuid():N}");
            Context.Watch(engine);
            engineGroup = trial.GroupKey;
        }
        running = trial;
        engine.Tell(new StartTrial(trial));
    }

    void StopEngine()
    {
        if (engine is null) return;
        Context.Unwatch(engine);
        Context.Stop(engine);
        engine = null;
        engineGroup = null;
    }

    // A crash inside the engine actor is that trial's failure, not the worker's: stop it (its PostStop kills the process).
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Directive.Stop);
}
