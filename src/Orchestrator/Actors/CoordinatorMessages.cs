using GptBench.Analysis.Store;
using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Actors;

// The coordinator's protocol with its workers and with the people who submit sweeps. Every message
// here may cross the network between nodes; Cluster/WireSerializer.cs maps each to a fixed name.

/// <summary>Marks the messages that cross the network; only they are bound to the wire serializer.</summary>
public interface IClusterMessage;

// Workers pull: RequestTrial when idle.

/// <summary>
/// A worker is idle. CurrentGroup lets the coordinator prefer a trial its warm engine can run;
/// HasGpu says which trials it can run (a `cuda` trial needs a GPU slot).
/// </summary>
public sealed record RequestTrial(string Worker, string? CurrentGroup, bool HasGpu) : IClusterMessage;

/// <summary>The trial to run, its device already resolved for the worker's slot.</summary>
public sealed record TrialAssignment(TrialSpec Trial, int Attempt) : IClusterMessage;

/// <summary>GitCommit is the build the worker runs, stored with its environment.</summary>
public sealed record TrialSucceeded(string TrialHash, IReadOnlyList<Sample> Samples, EnvironmentInfo Environment, string Worker, string GitCommit)
    : IClusterMessage;

public sealed record TrialFailed(string TrialHash, string Cause, string Worker) : IClusterMessage;

/// <summary>Nothing is queued or running: workers release their engines (and stay, waiting for work).</summary>
public sealed record NoWorkLeft : IClusterMessage;

// `gptbench submit`: hand a sweep over, then follow its progress.

/// <summary>Runs the experiment (expanded by the submitter) as a new sweep, or resumes its newest sweep unless Fresh.</summary>
public sealed record SubmitSweep(Experiment Experiment, bool Fresh) : IClusterMessage;

/// <summary>Sends the sender the progress of a sweep it submitted earlier (after a reconnect).</summary>
public sealed record FollowSweep(string SweepId) : IClusterMessage;

public sealed record SweepRejected(string Reason) : IClusterMessage;

// Progress of one sweep, sent to whoever follows it: one message per IProgressSink call.

public sealed record ProgressStarted(SweepDoc Sweep, int Total, int AlreadyDone) : IClusterMessage;

public sealed record ProgressTrialStarted(TrialSpec Trial, string Worker, int Attempt) : IClusterMessage;

public sealed record ProgressTrialFinished(TrialSpec Trial, IReadOnlyList<SampleDoc> Samples) : IClusterMessage;

public sealed record ProgressTrialFailed(TrialSpec Trial, string Cause, bool WillRetry) : IClusterMessage;

public sealed record ProgressFinished(SweepOutcome Outcome) : IClusterMessage;
