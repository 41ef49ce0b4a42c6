using Akka.Actor;
using Akka.Event;
using GptBench.Analysis.Store;
using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Actors;

/// <summary>
/// Hands trials to workers that ask for them, and is the store's only writer: a trial's samples and
/// its done status go in one transaction. A failed trial goes back to the queue until it is out of
/// attempts; a worker that dies with a trial in flight gives that trial back. One type serves both
/// cases: `run` gives it one sweep and local workers; `serve` gives it the store's unfinished
/// sweeps, workers on other nodes, and sweeps submitted while it runs.
/// </summary>
public sealed class SweepCoordinator : ReceiveActor
{
    /// <summary>A sweep being run: its plan, who is told of its progress, and how far it got in this run.</summary>
    sealed class ActiveSweep(SweepPlan plan)
    {
        public SweepPlan Plan { get; } = plan;
        public List<IProgressSink> Sinks { get; } = [];
        public int Done { get; set; }
        public int Failed { get; set; }
        /// <summary>Trials queued or running.</summary>
        public int Open { get; set; } = plan.Pending.Count;
        public int Settled => Plan.AlreadyDone + Done + Failed;
        public SweepOutcome Outcome => new(Plan.Sweep.Id, Plan.TotalTrials, Plan.AlreadyDone + Done, Failed);
    }

    /// <summary>A trial a worker is running, with the device it was resolved to for that worker's slot.</summary>
    sealed record Running(PlannedTrial Trial, TrialSpec Spec);

    readonly ILoggingAdapter log = Context.GetLogger();
    readonly ResultStore store;
    readonly IReadOnlyList<SweepPlan> initialPlans;
    readonly Func<SweepDoc, IEnumerable<IProgressSink>> localSinks;
    readonly int maxAttempts;
    readonly string gitCommit;
    readonly Dictionary<string, ActiveSweep> sweeps = [];
    readonly List<PlannedTrial> queue = [];
    readonly Dictionary<IActorRef, Running> inFlight = [];
    readonly Dictionary<IActorRef, RequestTrial> waiting = [];
    readonly HashSet<IActorRef> workers = [];
    readonly HashSet<IActorRef> followers = [];

    /// <param name="plans">Sweeps to run from the start.</param>
    /// <param name="localSinks">The sinks told of a sweep's progress on this node (a console, the `run` command's completion).</param>
    public SweepCoordinator(ResultStore store, IReadOnlyList<SweepPlan> plans, Func<SweepDoc, IEnumerable<IProgressSink>> localSinks,
        int maxAttempts, string gitCommit)
    {
        this.store = store;
        initialPlans = plans;
        this.localSinks = localSinks;
        this.maxAttempts = maxAttempts;
        this.gitCommit = gitCommit;

        Receive<RequestTrial>(OnRequest);
        Receive<TrialSucceeded>(OnSucceeded);
        Receive<TrialFailed>(OnFailed);
        Receive<SubmitSweep>(OnSubmit);
        Receive<FollowSweep>(OnFollow);
        Receive<Terminated>(OnTerminated);
    }

    protected override void PreStart()
    {
        foreach (var plan in initialPlans) Start(plan, follower: null);
    }

    void Start(SweepPlan plan, FollowerProgress? follower)
    {
        var sweep = new ActiveSweep(plan);
        sweep.Sinks.AddRange(localSinks(plan.Sweep));
        if (follower is not null) sweep.Sinks.Add(follower);
        sweeps[plan.Sweep.Id] = sweep;
        queue.AddRange(plan.Pending);
        foreach (var sink in sweep.Sinks) sink.Started(plan.Sweep, plan.TotalTrials, plan.AlreadyDone);
        Continue();
    }

    void OnRequest(RequestTrial request)
    {
        if (workers.Add(Sender)) Context.Watch(Sender);
        // A worker asks only when idle, so one that still holds a trial here has lost it (it restarted).
        if (inFlight.Remove(Sender, out var lost))
            Retry(lost, $"worker {request.Worker} asked for work without reporting its trial (it restarted)");
        waiting[Sender] = request;
        Continue();
    }

    /// <summary>Gives the worker a trial its slot can run, preferring one its warm engine can run. False when there is none.</summary>
    bool Assign(IActorRef worker, RequestTrial request)
    {
        Running? next = null;
        foreach (var trial in queue)
        {
            if (DeviceOn(trial.Spec, request.HasGpu) is not { } device) continue;
            var spec = trial.Spec with { Device = device };
            var warm = spec.GroupKey == request.CurrentGroup;
            if (next is null || warm) next = new Running(trial, spec);
            if (warm) break;
        }
        if (next is null) return false;
        var doc = next.Trial.Doc;
        queue.Remove(next.Trial);
        doc.Attempts++;
        doc.Worker = request.Worker;
        doc.Device = next.Spec.Device;
        store.UpdateTrial(doc);
        inFlight[worker] = next;
        foreach (var sink in SinksOf(next)) sink.TrialStarted(next.Spec, request.Worker, doc.Attempts);
        worker.Tell(new TrialAssignment(next.Spec, doc.Attempts));
        return true;
    }

    /// <summary>
    /// The device a trial runs on in a slot, or null when the slot can't run it: `cuda` needs a GPU slot;
    /// `auto` (left to the cluster by `submit`) is the slot's GPU when it has one.
    /// </summary>
    static string? DeviceOn(TrialSpec trial, bool gpuSlot) => trial.Device switch
    {
        "cuda" => gpuSlot ? "cuda" : null,
        "auto" => gpuSlot ? "cuda" : EngineNames.NeedsCuda(trial.Engine) ? null : "cpu",
        var device => device,
    };

    void OnSucceeded(TrialSucceeded result)
    {
        if (!TakeInFlight(result.TrialHash, out var running)) return;
        var trial = running.Trial;
        var environment = ToDoc(result.Environment, result.GitCommit);
        store.UpsertEnvironment(environment);
        trial.Doc.EnvironmentId = environment.Id;
        var now = DateTime.UtcNow;
        var samples = result.Samples.Select(s => new SampleDoc
        {
            Id = $"{trial.Doc.Id}/{s.Index}",
            SweepId = trial.Doc.SweepId,
            TrialId = trial.Doc.Id,
            Index = s.Index,
            TtftMs = s.TtftMs,
            TokenArrivalMs = s.TokenArrivalMs,
            TokensPerSecond = s.TokensPerSecond,
            WeightBytesPerToken = s.WeightBytesPerToken,
            CacheBytesPerToken = s.CacheBytesPerToken,
            EnvironmentId = environment.Id,
            CreatedUtc = now,
        }).ToList();
        trial.Doc.FinishedUtc = now;
        store.CompleteTrial(trial.Doc, samples);
        var sweep = sweeps[trial.Doc.SweepId];
        sweep.Done++;
        sweep.Open--;
        foreach (var sink in sweep.Sinks) sink.TrialFinished(running.Spec, samples);
        Continue();
    }

    void OnFailed(TrialFailed failure)
    {
        if (!TakeInFlight(failure.TrialHash, out var running)) return;
        Retry(running, failure.Cause);
        Continue();
    }

    void OnSubmit(SubmitSweep submit)
    {
        var experiment = submit.Experiment;
        if (experiment.Trials.Count == 0 || experiment.Trials.Select(t => t.Hash).Distinct().Count() != experiment.Trials.Count)
        {
            Sender.Tell(new SweepRejected($"experiment {experiment.Name} must have trials with distinct hashes"));
            return;
        }
        var latest = submit.Fresh ? null : store.LatestSweep(experiment.ContentHash);
        if (latest is not null && sweeps.TryGetValue(latest.Id, out var running))
        {
            Follow(running);
            return;
        }
        // `auto` devices stay as they are: each worker's slot decides them (see DeviceOn).
        var plan = SweepPlanner.Plan(experiment, store, submit.Fresh, device => device, gitCommit);
        log.Info("sweep {0} ({1}) submitted by {2}", plan.Sweep.Id, plan.Sweep.Name, Sender.Path.Address);
        Start(plan, NewFollower());
    }

    void OnFollow(FollowSweep follow)
    {
        if (sweeps.TryGetValue(follow.SweepId, out var running))
        {
            Follow(running);
            return;
        }
        var doc = store.Sweeps.FindById(follow.SweepId);
        if (doc?.FinishedUtc is null)
        {
            Sender.Tell(new SweepRejected(doc is null
                ? $"no sweep {follow.SweepId} in the store"
                : $"sweep {follow.SweepId} is not running here; submit its file again to resume it"));
            return;
        }
        // It finished while the follower was away: tell it how it ended.
        var trials = store.Trials.Find(t => t.SweepId == doc.Id).ToList();
        var done = trials.Count(t => t.Status == TrialStatus.Done);
        var failed = trials.Count(t => t.Status == TrialStatus.Failed);
        var sink = new FollowerProgress(Sender);
        sink.Started(doc, doc.TrialCount, done + failed);
        sink.Finished(new SweepOutcome(doc.Id, doc.TrialCount, done, failed));
    }

    void Follow(ActiveSweep sweep)
    {
        sweep.Sinks.RemoveAll(s => s is FollowerProgress f && f.Follower.Equals(Sender));
        var sink = NewFollower();
        sweep.Sinks.Add(sink);
        sink.Started(sweep.Plan.Sweep, sweep.Plan.TotalTrials, sweep.Settled);
    }

    FollowerProgress NewFollower()
    {
        if (followers.Add(Sender)) Context.Watch(Sender);
        return new FollowerProgress(Sender);
    }

    void OnTerminated(Terminated terminated)
    {
        var gone = terminated.ActorRef;
        if (followers.Remove(gone))
            foreach (var sweep in sweeps.Values)
                sweep.Sinks.RemoveAll(s => s is FollowerProgress f && f.Follower.Equals(gone));
        if (!workers.Remove(gone)) return;
        waiting.Remove(gone);
        if (inFlight.Remove(gone, out var running))
            Retry(running, $"worker {running.Trial.Doc.Worker} was lost mid-trial");
        Continue();
    }

    void Retry(Running running, string cause)
    {
        var trial = running.Trial;
        var sweep = sweeps[trial.Doc.SweepId];
        trial.Doc.Error = cause;
        var outOfAttempts = trial.Doc.Attempts >= maxAttempts;
        if (outOfAttempts)
        {
            trial.Doc.Status = TrialStatus.Failed;
            trial.Doc.FinishedUtc = DateTime.UtcNow;
            sweep.Failed++;
            sweep.Open--;
        }
        else
        {
            queue.Add(trial);
        }
        store.UpdateTrial(trial.Doc);
        log.Warning("trial {0} failed (attempt {1}/{2}): {3}", trial.Spec.Hash, trial.Doc.Attempts, maxAttempts, cause);
        foreach (var sink in sweep.Sinks) sink.TrialFailed(running.Spec, cause, willRetry: !outOfAttempts);
    }

    /// <summary>
    /// Takes the sender's trial in flight if it is the one reported. A result from a worker that no
    /// longer holds that trial here (given up on as lost, re-queued) is ignored, so nothing is stored twice.
    /// </summary>
    bool TakeInFlight(string trialHash, out Running running)
    {
        if (inFlight.TryGetValue(Sender, out running!) && running.Trial.Spec.Hash == trialHash)
        {
            inFlight.Remove(Sender);
            return true;
        }
        log.Warning("ignoring a result for trial {0} that {1} was not running", trialHash, Sender.Path);
        return false;
    }

    IEnumerable<IProgressSink> SinksOf(Running running) => sweeps[running.Trial.Doc.SweepId].Sinks;

    /// <summary>Feeds waiting workers, then finishes every sweep with nothing queued or running.</summary>
    void Continue()
    {
        foreach (var (worker, request) in waiting.ToList())
            if (Assign(worker, request)) waiting.Remove(worker);
        foreach (var sweep in sweeps.Values.Where(s => s.Open == 0).ToList())
            Finish(sweep);
    }

    void Finish(ActiveSweep sweep)
    {
        sweeps.Remove(sweep.Plan.Sweep.Id);
        sweep.Plan.Sweep.FinishedUtc = DateTime.UtcNow;
        store.UpdateSweep(sweep.Plan.Sweep);
        foreach (var sink in sweep.Sinks) sink.Finished(sweep.Outcome);
        if (sweeps.Count == 0)
            foreach (var worker in workers) worker.Tell(new NoWorkLeft());
    }

    // What this actor holds in memory is only as good as the store writes it made: after an exception
    // (say the store failed) it does not carry on with a fresh state but stops, and takes its node down
    // with it. `serve` starts again from the store; `run` reports the sweep as interrupted.
    protected override void PreRestart(Exception reason, object message)
    {
        log.Error(reason, "the coordinator failed; shutting this node down");
        CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.UnknownReason.Instance);
    }

    protected override void PostRestart(Exception reason) => Context.Stop(Self);

    static EnvironmentDoc ToDoc(EnvironmentInfo e, string gitCommit)
    {
        var doc = new EnvironmentDoc
        {
            Host = e.Host, Cpu = e.Cpu, Device = e.Device, GpuName = e.GpuName, Driver = e.Driver,
            CudaRuntime = e.CudaRuntime, Libtorch = e.Libtorch, TorchSharp = e.TorchSharp, DotNet = e.DotNet,
            VisibleDevices = e.VisibleDevices, GpuUuid = e.GpuUuid, GpuIndex = e.GpuIndex, GpuCount = e.GpuCount, GitCommit = gitCommit,
        };
        doc.Id = Canonical.Hash(string.Join('\u001f', doc.Host, doc.Cpu, doc.Device, doc.GpuName, doc.Driver,
            doc.CudaRuntime, doc.Libtorch, doc.TorchSharp, doc.DotNet, doc.VisibleDevices, doc.GitCommit,
            doc.GpuUuid, doc.GpuIndex, doc.GpuCount));
        return doc;
    }
}
