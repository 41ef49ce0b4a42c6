using GptBench.Analysis.Store;

namespace GptBench.Analysis.Statistics;

/// <summary>
/// Everything said about one trial, computed from its samples (never stored).
/// </summary>
public sealed record TrialStatistics(
    TrialDoc Trial,
    Summary Ttft,
    Summary Throughput,
    LatencyPercentiles InterToken,
    Summary AchievedBytesPerSecond,
    double BytesPerToken,
    GpuBandwidth? Limit)
{
    public double? PercentOfLimit => Limit is null ? null : 100 * AchievedBytesPerSecond.Median / Limit.BytesPerSecond;

    /// <summary>The tokens/s a perfectly bandwidth-bound decode would reach: ceiling / bytes moved per token.</summary>
    public double? LimitTokensPerSecond => Limit is null || BytesPerToken <= 0 ? null : Limit.BytesPerSecond / BytesPerToken;

    /// <summary>Null when the trial has no samples.</summary>
    public static TrialStatistics? Compute(TrialDoc trial, IReadOnlyList<SampleDoc> samples, string? gpuName)
    {
        if (samples.Count == 0) return null;
        return new TrialStatistics(
            trial,
            Summary.Of(samples.Select(s => s.TtftMs).ToArray()),
            Summary.Of(samples.Select(s => s.TokensPerSecond).ToArray()),
            LatencyPercentiles.Of(samples),
            Summary.Of(samples.Select(SampleBandwidth.AchievedBytesPerSecond).ToArray()),
            Median(samples.Select(SampleBandwidth.BytesPerToken)),
            GpuBandwidth.For(gpuName));
    }

    static double Median(IEnumerable<double> values) => Summary.Of(values.ToArray()).Median;
}
