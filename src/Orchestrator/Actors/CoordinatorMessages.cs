using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Actors;

// The coordinator's protocol with its workers. Workers pull: RequestTrial when idle.

/// <summary>A worker is idle; CurrentGroup lets the coordinator prefer a trial its warm engine can run.</summary>
public sealed record RequestTrial(string Worker, string? CurrentGroup);

public sealed record TrialAssignment(TrialSpec Trial, int Attempt);

public sealed record TrialSucceeded(string TrialHash, IReadOnlyList<Sample> Samples, EnvironmentInfo Environment, string Worker);

public sealed record TrialFailed(string TrialHash, string Cause, string Worker);

/// <summary>Every trial is done or out of attempts; workers release their engines.</summary>
public sealed record SweepFinished(string SweepId);
