using static TorchSharp.torch;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>The dtype names of the safetensors format, their sizes, and the ones this project loads.</summary>
public static class SafetensorsDtype
{
    /// <summary>Every dtype of the format, so that the layout of any valid file can be checked.</summary>
    public static readonly IReadOnlyDictionary<string, int> ByteSizes = new Dictionary<string, int>
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    static readonly Dictionary<string, ScalarType> Loadable = new()
    {
        ["F32"] = ScalarType.Float32,
        ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16,
    };

    public static IEnumerable<string> LoadableNames => Loadable.Keys;

    public static bool TryToScalarType(string dtype, out ScalarType type) => Loadable.TryGetValue(dtype, out type);

    public static string FromScalarType(ScalarType type) =>
        Loadable.FirstOrDefault(pair => pair.Value == type).Key
        ?? throw new ArgumentException($"dtype {type} cannot be written; only {string.Join(", ", Loadable.Keys)} can");
}
