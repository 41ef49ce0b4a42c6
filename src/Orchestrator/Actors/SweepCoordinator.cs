using Akka.Actor;
using Akka.Event;
using GptBench.Analysis.Store;
using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Actors;

/// <summary>
/// Hands trials to workers that ask for them, and is the store's only writer: a trial's samples and
/// its done status go in one transaction. A failed trial goes back to the queue until it is out of
/// attempts; a worker that dies with a trial in flight gives that trial back.
/// </summary>
public sealed class SweepCoordinator : ReceiveActor
{
    readonly ILoggingAdapter log = Context.GetLogger();
    readonly SweepPlan plan;
    readonly ResultStore store;
    readonly IProgressSink progress;
    readonly TaskCompletionSource<SweepOutcome> completion;
    readonly int maxAttempts;
    readonly string gitCommit;
    readonly List<PlannedTrial> queue;
    readonly Dictionary<IActorRef, PlannedTrial> inFlight = [];
    readonly Dictionary<IActorRef, RequestTrial> waiting = [];
    readonly HashSet<IActorRef> workers = [];
    int done, failed;
    bool finished;

    public SweepCoordinator(SweepPlan plan, ResultStore store, IProgressSink progress,
        TaskCompletionSource<SweepOutcome> completion, int maxAttempts, string gitCommit)
    {
        this.plan = plan;
        this.store = store;
        this.progress = progress;
        this.completion = completion;
        this.maxAttempts = maxAttempts;
        this.gitCommit = gitCommit;
        queue = plan.Pending.ToList();

        Receive<RequestTrial>(OnRequest);
        Receive<TrialSucceeded>(OnSucceeded);
        Receive<TrialFailed>(OnFailed);
        Receive<Terminated>(OnWorkerLost);
    }

    protected override void PreStart()
    {
        progress.Started(plan.Sweep, plan.TotalTrials, plan.AlreadyDone);
        FinishIfDone();
    }

    void OnRequest(RequestTrial request)
    {
        if (workers.Add(Sender)) Context.Watch(Sender);
        if (!Assign(Sender, request)) waiting[Sender] = request;
    }

    /// <summary>Gives the worker a trial, preferring one its warm engine can run. False when the queue is empty.</summary>
    bool Assign(IActorRef worker, RequestTrial request)
    {
        if (queue.Count == 0) return false;
        var index = queue.FindIndex(t => t.Spec.GroupKey == request.CurrentGroup);
        var next = queue[index < 0 ? 0 : index];
        queue.Remove(next);
        next.Doc.Attempts++;
        next.Doc.Worker = request.Worker;
        store.UpdateTrial(next.Doc);
        inFlight[worker] = next;
        progress.TrialStarted(next.Spec, request.Worker, next.Doc.Attempts);
        worker.Tell(new TrialAssignment(next.Spec, next.Doc.Attempts));
        return true;
    }

    void OnSucceeded(TrialSucceeded result)
    {
        if (!TakeInFlight(result.TrialHash, out var trial)) return;
        var environment = ToDoc(result.Environment);
        store.UpsertEnvironment(environment);
        trial.Doc.EnvironmentId = environment.Id;
        var now = DateTime.UtcNow;
        var samples = result.Samples.Select(s => new SampleDoc
        {
            Id = $"{trial.Doc.Id}/{s.Index}",
            SweepId = plan.Sweep.Id,
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
        done++;
        progress.TrialFinished(trial.Spec, samples);
        Continue();
    }

    void OnFailed(TrialFailed failure)
    {
        if (!TakeInFlight(failure.TrialHash, out var trial)) return;
        Retry(trial, failure.Cause);
        Continue();
    }

    void OnWorkerLost(Terminated terminated)
    {
        workers.Remove(terminated.ActorRef);
        waiting.Remove(terminated.ActorRef);
        if (inFlight.Remove(terminated.ActorRef, out var trial))
            Retry(trial, $"worker {trial.Doc.Worker} was lost mid-trial");
        Continue();
    }

    void Retry(PlannedTrial trial, string cause)
    {
        trial.Doc.Error = cause;
        var outOfAttempts = trial.Doc.Attempts >= maxAttempts;
        if (outOfAttempts)
        {
            trial.Doc.Status = TrialStatus.Failed;
            trial.Doc.FinishedUtc = DateTime.UtcNow;
            failed++;
        }
        else
        {
            queue.Add(trial);
        }
        store.UpdateTrial(trial.Doc);
        log.Warning("trial {0} failed (attempt {1}/{2}): {3}", trial.Spec.Hash, trial.Doc.Attempts, maxAttempts, cause);
        progress.TrialFailed(trial.Spec, cause, willRetry: !outOfAttempts);
    }

    bool TakeInFlight(string trialHash, out PlannedTrial trial)
    {
        if (inFlight.TryGetValue(Sender, out trial!) && trial.Spec.Hash == trialHash)
        {
            inFlight.Remove(Sender);
            return true;
        }
        log.Warning("ignoring a result for trial {0} that {1} was not running", trialHash, Sender.Path);
        return false;
    }

    /// <summary>Feeds waiting workers, or finishes the sweep when nothing is queued or running.</summary>
    void Continue()
    {
        foreach (var (worker, request) in waiting.ToList())
            if (Assign(worker, request)) waiting.Remove(worker);
        FinishIfDone();
    }

    void FinishIfDone()
    {
        if (finished || queue.Count > 0 || inFlight.Count > 0) return;
        finished = true;
        plan.Sweep.FinishedUtc = DateTime.UtcNow;
        store.UpdateSweep(plan.Sweep);
        foreach (var worker in workers) worker.Tell(new SweepFinished(plan.Sweep.Id));
        var outcome = new SweepOutcome(plan.Sweep.Id, plan.TotalTrials, plan.AlreadyDone + done, failed);
        progress.Finished(outcome);
        completion.TrySetResult(outcome);
    }

    EnvironmentDoc ToDoc(EnvironmentInfo e)
    {
        var doc = new EnvironmentDoc
        {
            Host = e.Host, Cpu = e.Cpu, Device = e.Device, GpuName = e.GpuName, Driver = e.Driver,
            CudaRuntime = e.CudaRuntime, Libtorch = e.Libtorch, TorchSharp = e.TorchSharp, DotNet = e.DotNet,
            VisibleDevices = e.VisibleDevices, GitCommit = gitCommit,
        };
        doc.Id = Canonical.Hash(string.Join('\u001f', doc.Host, doc.Cpu, doc.Device, doc.GpuName, doc.Driver,
            doc.CudaRuntime, doc.Libtorch, doc.TorchSharp, doc.DotNet, doc.VisibleDevices, doc.GitCommit));
        return doc;
    }
}
