using GptBench.Analysis.Store;

namespace GptBench.Orchestrator.Tests.Cluster;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    // Many processes with failure detectors on a small machine: run these alone, not beside other tests.
    public const string Name = "cluster";
}

/// <summary>
/// A coordinator and two worker nodes as real processes on 127.0.0.1 run a 20-trial sweep while one of
/// them is killed with SIGKILL: the sweep completes and every trial is stored exactly once.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterFailureTests
{
    static readonly TimeSpan SweepTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public void Worker_killed_mid_sweep_gives_its_trial_back_and_a_restarted_worker_rejoins()
    {
        using var nodes = new ClusterNodes();
        var serve = nodes.Serve();
        var (doomed, doomedAddress) = nodes.Worker();
        nodes.Worker();
        var submit = nodes.Submit();

        Assert.True(serve.WaitForLine(l => l.Contains($"[4/{ClusterNodes.Trials}] done"), SweepTimeout), serve.Output);
        doomed.KillHard();
        var (_, comebackAddress) = nodes.Worker();

        Assert.True(submit.WaitForExit(SweepTimeout) == 0, $"submit:\n{submit.Output}\nserve:\n{serve.Output}");
        Assert.Contains($"worker {doomedAddress}/cpu0 was lost mid-trial", serve.Output);
        serve.Interrupt();
        Assert.Equal(0, serve.WaitForExit(TimeSpan.FromSeconds(30)));

        using var store = new ResultStore(nodes.Db, readOnly: true);
        ClusterNodes.AssertEveryTrialStoredOnce(store);
        var trials = store.Trials.FindAll().ToList();
        // The trial the killed worker held ran again, elsewhere; the worker started after the kill took its share.
        var rerun = trials.Where(t => t.Attempts == 2).ToList();
        Assert.NotEmpty(rerun);
        Assert.All(rerun, t => Assert.False(t.Worker!.StartsWith(doomedAddress + "/", StringComparison.Ordinal), t.Worker));
        Assert.Contains(trials, t => t.Worker!.StartsWith(comebackAddress + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void Coordinator_killed_mid_sweep_and_restarted_on_the_same_store_finishes_the_sweep_without_duplicates()
    {
        using var nodes = new ClusterNodes();
        var first = nodes.Serve();
        nodes.Worker();
        nodes.Worker();
        var submit = nodes.Submit();

        Assert.True(first.WaitForLine(l => l.Contains($"[5/{ClusterNodes.Trials}] done"), SweepTimeout), first.Output);
        first.KillHard();
        first.WaitForExit(TimeSpan.FromSeconds(30));
        using (var probe = new ResultStore(nodes.Db, readOnly: true))
        {
            Assert.InRange(probe.Trials.Count(t => t.Status == TrialStatus.Done), 5, ClusterNodes.Trials - 1);
            ClusterNodes.AssertNoHalfTrials(probe);
        }

        var second = nodes.Serve();
        Assert.Contains("resuming 1 unfinished sweep(s)", second.Output);
        // The workers rejoin the new coordinator by themselves, and submit follows the sweep to its end.
        Assert.True(submit.WaitForExit(SweepTimeout) == 0, $"submit:\n{submit.Output}\nserve:\n{second.Output}");
        Assert.Contains("lost the coordinator", submit.Output);
        second.Interrupt();
        Assert.Equal(0, second.WaitForExit(TimeSpan.FromSeconds(30)));

        using var store = new ResultStore(nodes.Db, readOnly: true);
        ClusterNodes.AssertEveryTrialStoredOnce(store);
    }
}
