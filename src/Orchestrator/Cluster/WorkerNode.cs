using Akka.Actor;
using Akka.Cluster;
using GptBench.Orchestrator.Actors;
using GptBench.Orchestrator.Engines;

namespace GptBench.Orchestrator.Cluster;

/// <summary>
/// The root of a worker node: once the node is in the cluster, finds the coordinator (the member
/// with the coordinator role, at /user/coordinator) and starts one <see cref="TrialWorker"/> per
/// slot, which pull trials from it. When the coordinator goes away the node shuts its actor system
/// down, and `gptbench worker` starts a fresh one that joins again: a removed Akka node can't rejoin.
/// </summary>
public sealed class WorkerNode : ReceiveActor, IWithTimers
{
    sealed record LookForCoordinator;

    readonly IReadOnlyList<WorkerSlot> slots;
    readonly Akka.Cluster.Cluster cluster = Akka.Cluster.Cluster.Get(Context.System);
    Address? coordinatorNode;
    IActorRef? coordinator;
    bool leaving;

    public ITimerScheduler Timers { get; set; } = null!;

    public WorkerNode(IReadOnlyList<WorkerSlot> slots)
    {
        this.slots = slots;
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (coordinatorNode is not null || !up.Member.HasRole(ClusterSetup.CoordinatorRole)) return;
            coordinatorNode = up.Member.Address;
            Timers.StartPeriodicTimer("look", new LookForCoordinator(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        });
        Receive<LookForCoordinator>(_ =>
            Context.ActorSelection(new RootActorPath(coordinatorNode!) / "user" / ClusterSetup.CoordinatorName).Tell(new Identify(null)));
        Receive<ActorIdentity>(found =>
        {
            if (found.Subject is null || coordinator is not null) return; // not started yet: the timer asks again
            Timers.Cancel("look");
            coordinator = found.Subject;
            Context.Watch(coordinator);
            StartWorkers(coordinator);
        });
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(coordinator)) Rejoin("the coordinator stopped");
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (removed.Member.Address.Equals(coordinatorNode)) Rejoin("the coordinator left the cluster");
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    protected override void PreStart() =>
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => cluster.Unsubscribe(Self);

    void StartWorkers(IActorRef coordinatorRef)
    {
        // Slot names carry the node's address, so trials and progress say which machine ran them.
        var node = $"{cluster.SelfAddress.Host}:{cluster.SelfAddress.Port}";
        foreach (var slot in slots)
        {
            var named = slot with { Name = $"{node}/{slot.Name}" };
            Context.ActorOf(Props.Create(() => new TrialWorker(coordinatorRef, named)), $"worker-{slot.Name}");
        }
        Console.WriteLine($"worker {node}: joined the coordinator at {coordinatorNode!.Host}:{coordinatorNode.Port} "
            + $"with {slots.Count} slot(s): {string.Join(", ", slots.Select(s => s.Name))}");
    }

    void Rejoin(string why)
    {
        if (leaving) return;
        leaving = true;
        Console.WriteLine($"worker {cluster.SelfAddress.Host}:{cluster.SelfAddress.Port}: {why}; starting again to rejoin");
        CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
    }
}
