using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Comparison;

public enum Metric { Ttft, Throughput }

/// <summary>What each compared metric reads from a sample, and which way is better.</summary>
public static class Metrics
{
    public static string Name(Metric m) => m == Metric.Ttft ? "ttft_ms" : "tokens_per_s";

    /// <summary>TTFT: lower is better. Tokens/s: higher is better.</summary>
    public static bool LowerIsBetter(Metric m) => m == Metric.Ttft;

    public static double Value(Metric m, SampleDoc s) => m == Metric.Ttft ? s.TtftMs : s.TokensPerSecond;

    public static Summary Of(Metric m, TrialStatistics s) => m == Metric.Ttft ? s.Ttft : s.Throughput;
}
