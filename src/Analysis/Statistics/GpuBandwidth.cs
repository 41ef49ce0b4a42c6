namespace GptBench.Analysis.Statistics;

/// <summary>A GPU's memory-bandwidth ceiling and where the number comes from.</summary>
public sealed record GpuBandwidth(string Gpu, double BytesPerSecond, string Source)
{
    /// <summary>Known ceilings, matched by a case-insensitive substring of the GPU's name.</summary>
    public static readonly IReadOnlyList<GpuBandwidth> Known =
    [
        new("H100", 3.0e12, "measured device-to-device copy (GPU-NOTES.md)"),
        new("H200", 4.8e12, "datasheet"),
    ];

    /// <summary>The ceiling for a GPU name, or null when the GPU (or the device) is unknown.</summary>
    public static GpuBandwidth? For(string? gpuName) =>
        string.IsNullOrWhiteSpace(gpuName)
            ? null
            : Known.FirstOrDefault(k => gpuName.Contains(k.Gpu, StringComparison.OrdinalIgnoreCase));
}
