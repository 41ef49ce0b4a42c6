namespace GptBench.GpuWorker.Model;

/// <summary>GPT-2's shape, named as in HF's config.json.</summary>
public sealed record Gpt2Config(int NLayer, int NHead, int NEmbd, int VocabSize = 50257, int NPositions = 1024, double LayerNormEpsilon = 1e-5)
{
    public int HeadDim => NEmbd / NHead;

    /// <summary>Weights of the model, the tied embedding counted once.</summary>
    public long ParameterCount =>
        (long)VocabSize * NEmbd + (long)NPositions * NEmbd
        + NLayer * (12L * NEmbd * NEmbd + 13L * NEmbd)
        + 2L * NEmbd;
}

/// <summary>The shapes an experiment may name as <c>preset</c>; their weights are seeded random.</summary>
public static class Presets
{
    public static readonly IReadOnlyDictionary<string, Gpt2Config> All = new Dictionary<string, Gpt2Config>
    {
        ["tiny"] = new(NLayer: 2, NHead: 4, NEmbd: 128),
        ["gpt2"] = new(NLayer: 12, NHead: 12, NEmbd: 768),
        ["gpt2-medium"] = new(NLayer: 24, NHead: 16, NEmbd: 1024),
        ["gpt2-large"] = new(NLayer: 36, NHead: 20, NEmbd: 1280),
    };
}
