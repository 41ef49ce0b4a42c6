using GptBench.Analysis.Store;
using Perfolizer.Mathematics.QuantileEstimators;

namespace GptBench.Analysis.Statistics;

/// <summary>Inter-token latency: gaps between consecutive token arrivals, pooled over a trial's samples.</summary>
public sealed record LatencyPercentiles(int Count, double P50, double P90, double P99)
{
    public static readonly LatencyPercentiles None = new(0, double.NaN, double.NaN, double.NaN);

    public static LatencyPercentiles Of(IEnumerable<SampleDoc> samples)
    {
        var gaps = samples.SelectMany(s => Gaps(s.TokenArrivalMs)).ToArray();
        if (gaps.Length == 0) return None;
        var q = SimpleQuantileEstimator.Instance;
        return new LatencyPercentiles(gaps.Length, q.Quantile(gaps, 0.5), q.Quantile(gaps, 0.9), q.Quantile(gaps, 0.99));
    }

    /// <summary>Milliseconds between each token and the one before it.</summary>
    public static IEnumerable<double> Gaps(IReadOnlyList<double> arrivalMs)
    {
        for (int i = 1; i < arrivalMs.Count; i++) yield return arrivalMs[i] - arrivalMs[i - 1];
    }
}
