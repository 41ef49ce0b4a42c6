using GptBench.Analysis.Queries;
using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Comparison;

/// <summary>The parameters two trials must share to be compared.</summary>
public sealed record MatchKey(string Model, string Engine, string Dtype, string Device, int InputTokens, int OutputTokens, string Sampling)
{
    public static MatchKey Of(TrialDoc t) =>
        new(t.Model, t.Engine, t.Dtype, t.Device, t.InputTokens, t.OutputTokens, TrialLabels.Sampling(t));

    public override string ToString() => $"{Model}|{Engine}|{Dtype} {Device} {InputTokens} in {OutputTokens} out {Sampling}";
}

/// <summary>
/// Regression or improvement only when the 95% intervals of the two means do not overlap and the medians differ by at
/// least the comparison's minimum change; Small when the intervals are apart but the change is under that minimum;
/// Unclear when either side has too few samples for an interval.
/// </summary>
public enum Verdict { Same, Regression, Improvement, Small, Unclear }

public sealed record ComparedTrial(MatchKey Key, Metric Metric, Summary A, Summary B, RatioInterval Ratio, Verdict Verdict);

public sealed record ComparisonResult(
    SweepDoc A, SweepDoc B, IReadOnlyList<ComparedTrial> Rows, IReadOnlyList<MatchKey> OnlyInA, IReadOnlyList<MatchKey> OnlyInB,
    double MinChange)
{
    public int Count(Verdict verdict) => Rows.Count(r => r.Verdict == verdict);
}

/// <summary>Sweep B against sweep A, trial by trial, over the trials both measured.</summary>
public static class SweepComparison
{
    /// <summary>
    /// The smallest change of the medians (a fraction) that counts as a regression or an improvement: one lent H100's
    /// decode figure for fixed code moves ~0.5% between minutes (docs/results/card-drift/), wider than a trial's own
    /// interval, so smaller changes between two sweeps say more about when they ran than about what they ran.
    /// </summary>
    public const double DefaultMinChange = 0.01;

    public static ComparisonResult Compare(ResultQuery query, SweepDoc a, SweepDoc b, IReadOnlyList<Metric> metrics,
        double minChange = DefaultMinChange)
    {
        var measuredA = MeasuredTrials(query, a);
        var measuredB = MeasuredTrials(query, b);
        var rows = new List<ComparedTrial>();
        var onlyInA = new List<MatchKey>();
        var onlyInB = new List<MatchKey>();
        foreach (var key in measuredA.Keys.Concat(measuredB.Keys).Distinct())
        {
            var left = measuredA.GetValueOrDefault(key, []);
            var right = measuredB.GetValueOrDefault(key, []);
            // Trials with equal parameters in one sweep are paired in their order within it.
            for (int i = 0; i < Math.Min(left.Count, right.Count); i++)
                rows.AddRange(metrics.Select(m => Compare(key, m, left[i], right[i], minChange)));
            onlyInA.AddRange(Enumerable.Repeat(key, Math.Max(0, left.Count - right.Count)));
            onlyInB.AddRange(Enumerable.Repeat(key, Math.Max(0, right.Count - left.Count)));
        }
        return new ComparisonResult(a, b, rows, onlyInA, onlyInB, minChange);
    }

    static ComparedTrial Compare(MatchKey key, Metric metric, Measured a, Measured b, double minChange)
    {
        var summaryA = Metrics.Of(metric, a.Stats);
        var summaryB = Metrics.Of(metric, b.Stats);
        var ratio = RatioInterval.OfMedians(
            a.Samples.Select(s => Metrics.Value(metric, s)).ToArray(),
            b.Samples.Select(s => Metrics.Value(metric, s)).ToArray());
        return new ComparedTrial(key, metric, summaryA, summaryB, ratio, Judge(metric, summaryA, summaryB, ratio, minChange));
    }

    static Verdict Judge(Metric metric, Summary a, Summary b, RatioInterval ratio, double minChange)
    {
        if (double.IsNaN(a.CiLower) || double.IsNaN(b.CiLower)) return Verdict.Unclear;
        if (!a.IntervalSeparatedFrom(b)) return Verdict.Same;
        if (Math.Abs(ratio.Ratio - 1) < minChange) return Verdict.Small;
        bool bIsLower = b.Mean < a.Mean;
        return bIsLower == Metrics.LowerIsBetter(metric) ? Verdict.Improvement : Verdict.Regression;
    }

    sealed record Measured(TrialStatistics Stats, IReadOnlyList<SampleDoc> Samples);

    static Dictionary<MatchKey, List<Measured>> MeasuredTrials(ResultQuery query, SweepDoc sweep) =>
        query.TrialsOf(sweep)
            .Select(r => (Samples: query.SamplesOf(r.Trial), Row: r))
            .Select(x => (x.Samples, Stats: TrialStatistics.Compute(x.Row.Trial, x.Samples, x.Row.Environment?.GpuName)))
            .Where(x => x.Stats is not null)
            .GroupBy(x => MatchKey.Of(x.Stats!.Trial))
            .ToDictionary(g => g.Key, g => g.Select(x => new Measured(x.Stats!, x.Samples)).ToList());
}
