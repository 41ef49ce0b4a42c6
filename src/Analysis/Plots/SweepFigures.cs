using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Plots;

/// <summary>Every figure a sweep's trials support: TTFT, throughput, inter-token latency.</summary>
public static class SweepFigures
{
    public static IReadOnlyList<Figure> Draw(
        IReadOnlyList<TrialStatistics> trials, Func<TrialDoc, IReadOnlyList<SampleDoc>> samplesOf)
    {
        var byIdentity = trials.GroupBy(t => SeriesIdentity.Of(t.Trial))
            .OrderBy(g => g.Key.Configuration).ThenBy(g => g.Key.Device).ThenBy(g => g.Key.Sampling)
            .ToList();
        var labels = SeriesRule.IdentityLabels(byIdentity.Select(g => g.Key));
        var gaps = byIdentity.Select(g => new InterTokenGaps(
            labels[g.Key],
            g.SelectMany(t => samplesOf(t.Trial)).SelectMany(s => LatencyPercentiles.Gaps(s.TokenArrivalMs)).ToList()));
        return new[] { TokenFigures.Ttft(trials), TokenFigures.Throughput(trials), InterTokenFigure.Build(gaps.ToList()) }
            .OfType<Figure>()
            .ToList();
    }
}
