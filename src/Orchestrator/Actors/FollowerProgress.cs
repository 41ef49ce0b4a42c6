using Akka.Actor;
using GptBench.Analysis.Store;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Actors;

/// <summary>
/// Relays a sweep's progress to an actor that follows it (`gptbench submit`, maybe on another
/// machine), one message per call; <see cref="Replay"/> plays them into a sink on the other side.
/// </summary>
public sealed class FollowerProgress(IActorRef follower) : IProgressSink
{
    public IActorRef Follower => follower;

    public void Started(SweepDoc sweep, int total, int alreadyDone) => follower.Tell(new ProgressStarted(sweep, total, alreadyDone));

    public void TrialStarted(TrialSpec trial, string worker, int attempt) => follower.Tell(new ProgressTrialStarted(trial, worker, attempt));

    public void TrialFinished(TrialSpec trial, IReadOnlyList<SampleDoc> samples) => follower.Tell(new ProgressTrialFinished(trial, samples));

    public void TrialFailed(TrialSpec trial, string cause, bool willRetry) => follower.Tell(new ProgressTrialFailed(trial, cause, willRetry));

    public void Finished(SweepOutcome outcome) => follower.Tell(new ProgressFinished(outcome));

    /// <summary>Plays a relayed progress message into a local sink; false when the message is something else.</summary>
    public static bool Replay(object message, IProgressSink sink)
    {
        switch (message)
        {
            case ProgressStarted m: sink.Started(m.Sweep, m.Total, m.AlreadyDone); return true;
            case ProgressTrialStarted m: sink.TrialStarted(m.Trial, m.Worker, m.Attempt); return true;
            case ProgressTrialFinished m: sink.TrialFinished(m.Trial, m.Samples); return true;
            case ProgressTrialFailed m: sink.TrialFailed(m.Trial, m.Cause, m.WillRetry); return true;
            case ProgressFinished m: sink.Finished(m.Outcome); return true;
            default: return false;
        }
    }
}
