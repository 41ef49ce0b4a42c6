using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Hosting;
using GptBench.Analysis.Store;
using GptBench.Orchestrator.Actors;
using GptBench.Orchestrator.Cluster;
using GptBench.Orchestrator.Engines;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Sweeps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GptBench.Orchestrator.Hosting;

/// <summary>The hosts of the several-machines case: the coordinator node, a worker node, and `submit`'s follower.</summary>
public static class ClusterHosts
{
    /// <summary>
    /// The coordinator node: the seed of the cluster (it joins itself) and the store's only writer.
    /// Each start resumes every unfinished sweep in the store; progress goes to stdout, one line an event.
    /// </summary>
    public static IHost Serve(NodeEndpoint endpoint, ResultStore store, int maxAttempts, string gitCommit)
    {
        Func<SweepDoc, IEnumerable<IProgressSink>> sinks = _ => [new PlainProgress(Console.Out)];
        var builder = NodeHosting.NewBuilder();
        builder.Services.AddAkka(ClusterSetup.SystemName, akka =>
        {
            akka.WithWarningLogs();
            akka.WithGptbenchCluster(endpoint, ClusterSetup.CoordinatorRole, new NodeAddress(endpoint.Host, endpoint.Port));
            akka.WithActors((system, _) =>
            {
                var plans = SweepPlanner.Unfinished(store, skipped => Console.WriteLine(skipped));
                Console.WriteLine($"coordinator {endpoint.Host}:{endpoint.Port}: resuming {plans.Count} unfinished sweep(s)");
                system.ActorOf(Props.Create(() => new SweepCoordinator(store, plans, sinks, maxAttempts, gitCommit)), ClusterSetup.CoordinatorName);
            });
        });
        return builder.Build();
    }

    /// <summary>A worker node: joins the cluster through the coordinator's node; one worker actor per slot.</summary>
    public static IHost Worker(NodeEndpoint endpoint, NodeAddress join, IReadOnlyList<WorkerSlot> slots)
    {
        var builder = NodeHosting.NewBuilder();
        builder.Services.AddAkka(ClusterSetup.SystemName, akka =>
        {
            akka.WithWarningLogs();
            akka.WithGptbenchCluster(endpoint, ClusterSetup.WorkerRole, join);
            akka.WithActors((system, _) => system.ActorOf(Props.Create(() => new WorkerNode(slots)), "node"));
        });
        return builder.Build();
    }

    /// <summary>
    /// Hands a sweep to the coordinator and follows it until it finishes (the outcome), or until the
    /// process is asked to stop (null: the sweep goes on without us). Not a cluster member: plain remoting.
    /// </summary>
    public static async Task<SweepOutcome?> SubmitAsync(NodeEndpoint endpoint, NodeAddress coordinator, SubmitSweep submission,
        IProgressSink progress, TimeSpan patience)
    {
        var completion = new TaskCompletionSource<SweepOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = NodeHosting.NewBuilder();
        builder.Services.AddAkka(ClusterSetup.SystemName, akka =>
        {
            akka.WithWarningLogs();
            akka.WithGptbenchRemoting(endpoint);
            akka.WithActors((system, _) => system.ActorOf(
                Props.Create(() => new SweepFollower(coordinator, endpoint.Protocol, submission, progress, completion, patience)), "follower"));
        });
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource();
        using var _ = lifetime.ApplicationStopping.Register(() => stopped.TrySetResult());
        await Task.WhenAny(completion.Task, stopped.Task, system.WhenTerminated);
        // Asked to stop, the system is still up here; one that ended by itself gave up (Akka does on a failed TLS handshake).
        var endedByItself = system.WhenTerminated.IsCompleted && !completion.Task.IsCompleted;
        await host.StopAsync();
        if (endedByItself) throw new FollowFailedException("this process's Akka node shut itself down (see the errors above)");
        return completion.Task.IsCompleted ? await completion.Task : null;
    }

    /// <summary>
    /// Runs a cluster node until SIGINT or SIGTERM. When its actor system ends by itself (the cluster
    /// downed this node, or its coordinator went away), a fresh one is started: an Akka node that was
    /// removed from a cluster can't join again. Returns false when a node never came up (e.g. its
    /// port was taken).
    /// </summary>
    public static async Task<bool> RunNodeAsync(string name, Func<IHost> build)
    {
        using var interrupted = new CancellationTokenSource();
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        while (true)
        {
            if (!await RunSessionAsync(build(), interrupted.Token)) return interrupted.IsCancellationRequested;
            if (interrupted.IsCancellationRequested) return true;
            Console.WriteLine($"{name}: left the cluster; starting a fresh node to join again");
            try { await Task.Delay(TimeSpan.FromSeconds(1), interrupted.Token); }
            catch (OperationCanceledException) { return true; }
        }
    }

    /// <summary>One actor system's life; true when it came up in the cluster.</summary>
    static async Task<bool> RunSessionAsync(IHost host, CancellationToken interrupted)
    {
        using (host)
        {
            await host.StartAsync();
            ActorSystem system;
            try
            {
                system = host.Services.GetRequiredService<ActorSystem>();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"could not start the node: {e.Message}");
                await host.StopAsync();
                return false;
            }
            var up = false;
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up = true);
            await Task.WhenAny(system.WhenTerminated, Task.Delay(Timeout.Infinite, interrupted));
            await host.StopAsync();
            if (!up && !interrupted.IsCancellationRequested)
                Console.Error.WriteLine("the node stopped before it joined the cluster (see the errors above)");
            return up || interrupted.IsCancellationRequested;
        }
    }
}
