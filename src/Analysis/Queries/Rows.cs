using GptBench.Analysis.Store;

namespace GptBench.Analysis.Queries;

/// <summary>A trial with the sweep it belongs to and the environment it ran in (null before it ran).</summary>
public sealed record TrialRow(SweepDoc Sweep, TrialDoc Trial, EnvironmentDoc? Environment);

/// <summary>One sample with its trial.</summary>
public sealed record SampleRow(TrialRow Trial, SampleDoc Sample);

/// <summary>A query that cannot be answered as asked: unknown or ambiguous sweep, bad value.</summary>
public sealed class BadQueryException(string message) : Exception(message);
