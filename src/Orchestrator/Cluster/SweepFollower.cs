using Akka.Actor;
using GptBench.Orchestrator.Actors;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Cluster;

/// <summary>Why `submit` stopped following a sweep before it finished.</summary>
public sealed class FollowFailedException(string message) : Exception(message);

/// <summary>
/// `gptbench submit` on the submitter's side: finds the coordinator, hands it the sweep and plays
/// the progress it sends into a local sink. When the coordinator is lost (killed, restarting) it
/// keeps looking for it for up to <c>patience</c> and then follows the same sweep again.
/// </summary>
public sealed class SweepFollower : ReceiveActor, IWithTimers
{
    sealed record LookForCoordinator;

    readonly NodeAddress coordinatorNode;
    readonly string coordinatorPath;
    readonly SubmitSweep submission;
    readonly IProgressSink sink;
    readonly TaskCompletionSource<SweepOutcome> completion;
    readonly TimeSpan patience;
    IActorRef? coordinator;
    string? sweepId;
    DateTime lookingSince;

    public ITimerScheduler Timers { get; set; } = null!;

    public SweepFollower(NodeAddress coordinatorNode, string protocol, SubmitSweep submission, IProgressSink sink,
        TaskCompletionSource<SweepOutcome> completion, TimeSpan patience)
    {
        this.coordinatorNode = coordinatorNode;
        coordinatorPath = $"{coordinatorNode.AkkaAddress(protocol)}/user/{ClusterSetup.CoordinatorName}";
        this.submission = submission;
        this.sink = sink;
        this.completion = completion;
        this.patience = patience;

        Receive<LookForCoordinator>(_ =>
        {
            if (DateTime.UtcNow - lookingSince > patience)
            {
                var resume = sweepId is null ? "" : $"; sweep {sweepId} resumes when it restarts: submit the file again to follow it";
                completion.TrySetException(new FollowFailedException($"no coordinator answered at {coordinatorNode} within {patience.TotalSeconds:0}s{resume}"));
                return;
            }
            Context.ActorSelection(coordinatorPath).Tell(new Identify(null));
        });
        Receive<ActorIdentity>(found =>
        {
            if (found.Subject is null || coordinator is not null) return;
            Timers.Cancel("look");
            coordinator = found.Subject;
            Context.Watch(coordinator);
            coordinator.Tell(sweepId is null ? submission : new FollowSweep(sweepId));
        });
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(coordinator)) return;
            Console.Error.WriteLine($"lost the coordinator at {coordinatorNode}; waiting up to {patience.TotalSeconds:0}s for it to come back (Ctrl-C detaches)");
            coordinator = null;
            Look();
        });
        Receive<SweepRejected>(rejected => completion.TrySetException(new FollowFailedException($"the coordinator refused: {rejected.Reason}")));
        Receive<ProgressStarted>(started =>
        {
            sweepId = started.Sweep.Id;
            sink.Started(started.Sweep, started.Total, started.AlreadyDone);
        });
        Receive<ProgressFinished>(finished =>
        {
            sink.Finished(finished.Outcome);
            completion.TrySetResult(finished.Outcome);
        });
        ReceiveAny(message => FollowerProgress.Replay(message, sink));
    }

    protected override void PreStart() => Look();

    void Look()
    {
        lookingSince = DateTime.UtcNow;
        Timers.StartPeriodicTimer("look", new LookForCoordinator(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }
}
