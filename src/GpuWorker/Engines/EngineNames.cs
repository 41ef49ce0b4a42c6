namespace GptBench.GpuWorker.Engines;

/// <summary>The engine names an experiment may use. Each maps to one implementation.</summary>
public static class EngineNames
{
    public const string Eager = "eager";
    public const string Static = "static";
    public const string CudaGraph = "cuda-graph";
    public const string Fused = "fused";

    /// <summary>Engines of this program (src/GpuWorker).</summary>
    public static readonly IReadOnlyList<string> Ours = [Eager, Static, CudaGraph, Fused];

    /// <summary>Other frameworks, run by the Python adapter in src/GpuWorker/hf under the same protocol and timing rules.</summary>
    public static readonly IReadOnlyList<string> Frameworks = ["hf-eager", "hf-compile", "hf-static"];

    public static readonly IReadOnlyList<string> All = [.. Ours, .. Frameworks];

    /// <summary>Engines that cannot run without a CUDA device.</summary>
    public static bool NeedsCuda(string engine) => engine is CudaGraph or Fused;
}

/// <summary>Weight/activation dtypes an experiment may name.</summary>
public static class DtypeNames
{
    /// <summary>int8 weights with one scale per output row: the fused engine only.</summary>
    public const string Int8 = "int8";

    public static readonly IReadOnlyList<string> All = ["fp32", "bf16", "fp16", Int8];
}
