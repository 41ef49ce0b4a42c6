using System.Text.Json.Serialization;

namespace GptBench.GpuWorker.Protocol;

// The engine-process protocol (DESIGN.md): JSON lines on stdin/stdout, one message a line.
// hello -> load -> loaded -> trial -> sample* -> trial-done -> ... -> bye.
// The "type" field picks one of the records below and nothing else: no type name from the wire
// decides what gets constructed.

/// <summary>Base of every message; <see cref="V"/> is the protocol version the sender speaks.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(Hello), "hello")]
[JsonDerivedType(typeof(Load), "load")]
[JsonDerivedType(typeof(Loaded), "loaded")]
[JsonDerivedType(typeof(RunTrial), "trial")]
[JsonDerivedType(typeof(Sample), "sample")]
[JsonDerivedType(typeof(TrialDone), "trial-done")]
[JsonDerivedType(typeof(Failure), "error")]
[JsonDerivedType(typeof(Bye), "bye")]
public abstract record Message
{
    public int V { get; init; } = ProtocolVersion.Current;
}

public static class ProtocolVersion
{
    public const int Current = 1;
}

/// <summary>Which weights to run: a preset shape with seeded random weights, or a checkpoint folder.</summary>
public sealed record ModelSpec(string? Preset = null, string? Path = null, long Seed = 0)
{
    public string Describe() => Path is not null ? $"path:{Path}" : $"preset:{Preset}";
}

/// <summary>Greedy (argmax) when <see cref="Greedy"/>; otherwise temperature + top-k.</summary>
public sealed record SamplingSpec(bool Greedy = true, double Temperature = 1.0, int TopK = 0);

/// <summary>
/// What the engine process reports about where it runs, seen from inside it: on CUDA the GPU it runs on
/// (GpuName, GpuUuid, GpuIndex: its ordinal as this process numbers devices), how many GPUs it sees
/// (GpuCount: 1 when pinned) and the CUDA_VISIBLE_DEVICES it was given. The GPU fields are null on the CPU.
/// </summary>
public sealed record EnvironmentInfo(
    string Host,
    string Cpu,
    string Device,
    string? GpuName,
    string? Driver,
    string? CudaRuntime,
    string Libtorch,
    string TorchSharp,
    string DotNet,
    string? VisibleDevices,
    string? GpuUuid = null,
    int? GpuIndex = null,
    int? GpuCount = null);

// engine -> orchestrator, first line after start
public sealed record Hello(EnvironmentInfo Environment) : Message;

// orchestrator -> engine: build the model once for a group of trials
public sealed record Load(ModelSpec Model, string Engine, string Dtype, string Device) : Message;

// engine -> orchestrator
public sealed record Loaded(double LoadMs, long ParameterCount, long WeightBytes, long DeviceMemoryBytes) : Message;

// orchestrator -> engine: run warm-up runs (not reported) then Repeats samples
public sealed record RunTrial(
    string TrialId,
    int InputTokens,
    int OutputTokens,
    SamplingSpec Sampling,
    int Warmup,
    int Repeats,
    long Seed,
    string? PromptFile = null) : Message;

/// <summary>
/// One generation run. Times are milliseconds from the host call that started the request;
/// TokenArrivalMs[i] is when token i's id was in host memory, so TtftMs == TokenArrivalMs[0].
/// </summary>
public sealed record Sample(
    string TrialId,
    int Index,
    double TtftMs,
    double[] TokenArrivalMs,
    double TokensPerSecond,
    long WeightBytesPerToken,
    long CacheBytesPerToken,
    int[] TokenIds) : Message;

public sealed record TrialDone(string TrialId) : Message;

/// <summary>The engine could not do what was asked; Fatal means the process is about to exit.</summary>
public sealed record Failure(string Message, bool Fatal = false, string? TrialId = null) : Message;

public sealed record Bye : Message;
