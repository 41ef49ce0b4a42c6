using GptBench.Analysis.Store;

namespace GptBench.Analysis.Statistics;

/// <summary>Memory traffic of one sample's decode: every token reads the weights and the KV cache.</summary>
public static class SampleBandwidth
{
    public static double BytesPerToken(SampleDoc s) => s.WeightBytesPerToken + s.CacheBytesPerToken;

    /// <summary>Achieved bandwidth = (weight + cache bytes per token) * tokens/s.</summary>
    public static double AchievedBytesPerSecond(SampleDoc s) => BytesPerToken(s) * s.TokensPerSecond;
}
