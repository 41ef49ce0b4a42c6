using Akka.Actor;
using Akka.TestKit.Xunit2;
using GptBench.Analysis.Store;
using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Actors;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Tests.Cluster;

/// <summary>
/// The coordinator's side of the worker protocol, with test probes in the workers' place (as a remote
/// worker looks to it) and a real store: who gets which trial, and which results are stored.
/// </summary>
public sealed class CoordinatorProtocolTests : TestKit
{
    readonly TempFolder dir = new();
    readonly ResultStore store;

    public CoordinatorProtocolTests() => store = new ResultStore(Path.Combine(dir.Root, "r.db"));

    static string Yaml(string device, string engines = "[static]") => $$"""
        name: protocol
        models: [tiny]
        engines: {{engines}}
        device: {{device}}
        warmup: 0
        repeats: 2
        matrix:
          input_tokens: [8, 16]
          output_tokens: [4]
        """;

    IActorRef Coordinator(string yaml)
    {
        var plan = SweepPlanner.Plan(dir.Load(yaml), store, fresh: true, device => device, "test");
        IReadOnlyList<SweepPlan> plans = [plan];
        Func<SweepDoc, IEnumerable<IProgressSink>> noSinks = _ => [];
        return Sys.ActorOf(Props.Create(() => new SweepCoordinator(store, plans, noSinks, 2, "test")));
    }

    static TrialSucceeded Result(TrialSpec trial, string worker, double ttftMs) => new(trial.Hash,
        Enumerable.Range(0, trial.Repeats).Select(i => new Sample(trial.Hash, i, ttftMs, [ttftMs, ttftMs + 1, ttftMs + 2, ttftMs + 3], 3, 0, 0, [1, 2, 3, 4])).ToList(),
        new EnvironmentInfo("host", "cpu", "cpu", null, null, null, "2.10.0", "0.107.0", "10.0", ""), worker, "test");

    [Fact]
    public void A_result_from_a_worker_not_holding_that_trial_is_dropped_and_a_lost_workers_trial_runs_again()
    {
        var coordinator = Coordinator(Yaml("cpu"));
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        coordinator.Tell(new RequestTrial("a", null, HasGpu: false), a);
        var first = a.ExpectMsg<TrialAssignment>();
        coordinator.Tell(new RequestTrial("b", null, HasGpu: false), b);
        var second = b.ExpectMsg<TrialAssignment>();

        coordinator.Tell(Result(second.Trial, "a", ttftMs: 999), a); // not a's trial: must not be stored
        Sys.Stop(a.Ref); // a is lost while holding the first trial
        coordinator.Tell(Result(second.Trial, "b", ttftMs: 5), b);
        coordinator.Tell(new RequestTrial("b", second.Trial.GroupKey, HasGpu: false), b);
        var again = b.ExpectMsg<TrialAssignment>();
        Assert.Equal(first.Trial.Hash, again.Trial.Hash);
        Assert.Equal(2, again.Attempt);
        coordinator.Tell(Result(again.Trial, "b", ttftMs: 6), b);
        b.ExpectMsg<NoWorkLeft>();

        var trials = store.Trials.FindAll().ToList();
        Assert.All(trials, t => Assert.Equal(TrialStatus.Done, t.Status));
        Assert.Equal(2, trials.Single(t => t.TrialHash == first.Trial.Hash).Attempts);
        var samples = store.Samples.FindAll().ToList();
        Assert.Equal(4, samples.Count);
        Assert.DoesNotContain(samples, s => s.TtftMs == 999);
    }

    [Fact]
    public void Cuda_trials_wait_for_a_gpu_slot()
    {
        var coordinator = Coordinator(Yaml("cuda"));
        var cpu = CreateTestProbe();
        coordinator.Tell(new RequestTrial("cpu0", null, HasGpu: false), cpu);
        cpu.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var gpu = CreateTestProbe();
        coordinator.Tell(new RequestTrial("gpu0", null, HasGpu: true), gpu);
        Assert.Equal("cuda", gpu.ExpectMsg<TrialAssignment>().Trial.Device);
    }

    [Fact]
    public void Auto_runs_on_the_device_of_the_slot_that_takes_the_trial()
    {
        var coordinator = Coordinator(Yaml("auto"));
        var cpu = CreateTestProbe();
        coordinator.Tell(new RequestTrial("cpu0", null, HasGpu: false), cpu);
        var onCpu = cpu.ExpectMsg<TrialAssignment>().Trial;
        var gpu = CreateTestProbe();
        coordinator.Tell(new RequestTrial("gpu0", null, HasGpu: true), gpu);
        var onGpu = gpu.ExpectMsg<TrialAssignment>().Trial;
        Assert.Equal(("cpu", "cuda"), (onCpu.Device, onGpu.Device));
        Assert.Equal("cpu", store.Trials.FindOne(t => t.TrialHash == onCpu.Hash).Device);
    }

    [Fact]
    public void A_worker_gets_a_trial_its_warm_engine_can_run()
    {
        var coordinator = Coordinator(Yaml("cpu", engines: "[static, eager]"));
        var worker = CreateTestProbe();
        var eagerGroup = dir.Load(Yaml("cpu", engines: "[eager]"), "eager.yaml").Trials[0].GroupKey;
        coordinator.Tell(new RequestTrial("cpu0", eagerGroup, HasGpu: false), worker);
        Assert.Equal("eager", worker.ExpectMsg<TrialAssignment>().Trial.Engine);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        store.Dispose();
        dir.Dispose();
    }
}
