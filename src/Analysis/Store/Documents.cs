namespace GptBench.Analysis.Store;

// The documents LiteDB holds. Samples are the truth; statistics are always computed from them.

public static class TrialStatus
{
    public const string Pending = "pending";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>One run of an experiment file. Re-running the same file resumes the newest sweep with its hash.</summary>
public sealed class SweepDoc
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string File { get; set; } = "";
    public string ExperimentHash { get; set; } = "";
    public DateTime CreatedUtc { get; set; }
    public DateTime? FinishedUtc { get; set; }
    public int TrialCount { get; set; }
    public string GitCommit { get; set; } = "";
    public string Host { get; set; } = "";
}

/// <summary>One point of the matrix: fixed parameters, run Repeats times. Id is "{SweepId}/{TrialHash}".</summary>
public sealed class TrialDoc
{
    public string Id { get; set; } = "";
    public string SweepId { get; set; } = "";
    public string TrialHash { get; set; } = "";
    public int Ordinal { get; set; }
    public string Model { get; set; } = "";
    public string Engine { get; set; } = "";
    public string Dtype { get; set; } = "";
    public string Device { get; set; } = "";
    public int InputTokens { get; set; }
    public int OutputTokens { get; set; }
    public bool Greedy { get; set; }
    public double Temperature { get; set; }
    public int TopK { get; set; }
    public int Warmup { get; set; }
    public int Repeats { get; set; }
    public long Seed { get; set; }
    /// <summary>The weights: a preset with its seed, or a checkpoint folder (with PromptFile and TimeoutSeconds: enough to run the trial again from the store alone).</summary>
    public string? ModelPreset { get; set; }
    public string? ModelPath { get; set; }
    public long ModelSeed { get; set; }
    public string? PromptFile { get; set; }
    public double TimeoutSeconds { get; set; }
    /// <summary>The matrix axes' values for this trial, as written in the experiment (name -> value).</summary>
    public Dictionary<string, string> Axes { get; set; } = new();
    public string Status { get; set; } = TrialStatus.Pending;
    public int Attempts { get; set; }
    public string? Error { get; set; }
    public string? EnvironmentId { get; set; }
    /// <summary>The worker slot that ran the trial (its last attempt): gpu0, gpu0.1, cpu1; on a cluster prefixed by its node.</summary>
    public string? Worker { get; set; }
    public DateTime? FinishedUtc { get; set; }
}

/// <summary>One generation run (DESIGN.md "What a sample is"). Times in milliseconds from the request's start.</summary>
public sealed class SampleDoc
{
    public string Id { get; set; } = "";
    public string SweepId { get; set; } = "";
    public string TrialId { get; set; } = "";
    public int Index { get; set; }
    public double TtftMs { get; set; }
    public double[] TokenArrivalMs { get; set; } = [];
    public double TokensPerSecond { get; set; }
    public long WeightBytesPerToken { get; set; }
    public long CacheBytesPerToken { get; set; }
    public string? EnvironmentId { get; set; }
    public DateTime CreatedUtc { get; set; }
}

/// <summary>Where samples were taken. Id is a hash of the fields, so one machine's environment is stored once.</summary>
public sealed class EnvironmentDoc
{
    public string Id { get; set; } = "";
    public string Host { get; set; } = "";
    public string Cpu { get; set; } = "";
    public string Device { get; set; } = "";
    public string? GpuName { get; set; }
    public string? Driver { get; set; }
    public string? CudaRuntime { get; set; }
    public string Libtorch { get; set; } = "";
    public string TorchSharp { get; set; } = "";
    public string DotNet { get; set; } = "";
    public string? VisibleDevices { get; set; }
    /// <summary>The GPU as the engine process saw it: its UUID, its ordinal there, how many it saw (null on the CPU).</summary>
    public string? GpuUuid { get; set; }
    public int? GpuIndex { get; set; }
    public int? GpuCount { get; set; }
    public string GitCommit { get; set; } = "";
}
