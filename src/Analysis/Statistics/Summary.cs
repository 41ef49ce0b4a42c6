using Perfolizer.Mathematics.Common;
using Perfolizer.Mathematics.OutlierDetection;
using Perfolizer.Mathematics.QuantileEstimators;

namespace GptBench.Analysis.Statistics;

/// <summary>
/// What one metric of one trial looks like over its samples, computed the way BenchmarkDotNet does:
/// Hyndman-Fan type 7 quantiles, Student-t interval of the mean, Tukey fences for outliers.
/// Fields that need two or more values (standard deviation, interval) are NaN for a single one.
/// </summary>
public sealed record Summary(
    int Count,
    double Mean,
    double Median,
    double StdDev,
    double P10,
    double P90,
    double CiLower,
    double CiUpper,
    double LowerFence,
    double UpperFence,
    IReadOnlyList<double> Outliers)
{
    public const double ConfidenceLevel = 0.95;
    public const double TukeyK = 1.5;
    public const string OutlierRule = "Tukey fences: below Q1 - 1.5 IQR or above Q3 + 1.5 IQR";

    static readonly IQuantileEstimator Quantiles = SimpleQuantileEstimator.Instance;

    public static Summary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("a summary needs at least one value", nameof(values));
        int n = values.Count;
        double mean = values.Average();
        double stdDev = n > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1)) : double.NaN;
        var (ciLower, ciUpper) = n > 1 ? MeanInterval(n, mean, stdDev) : (double.NaN, double.NaN);
        var fences = TukeyOutlierDetector.Create(values, TukeyK, Quantiles);
        return new Summary(
            n, mean,
            Quantiles.Quantile(values, 0.5),
            stdDev,
            Quantiles.Quantile(values, 0.1),
            Quantiles.Quantile(values, 0.9),
            ciLower, ciUpper,
            fences.LowerFence, fences.UpperFence,
            values.Where(v => fences.IsLowerOutlier(v) || fences.IsUpperOutlier(v)).ToArray());
    }

    /// <summary>Student-t interval with n - 1 degrees of freedom.</summary>
    static (double, double) MeanInterval(int n, double mean, double stdDev)
    {
        var interval = new ConfidenceIntervalEstimator(n, mean, stdDev / Math.Sqrt(n))
            .ConfidenceInterval(new ConfidenceLevel(ConfidenceLevel));
        return (interval.Lower, interval.Upper);
    }

    /// <summary>True when the two 95% intervals of the means share no point (both must exist).</summary>
    public bool IntervalSeparatedFrom(Summary other) =>
        !double.IsNaN(CiLower) && !double.IsNaN(other.CiLower) &&
        (CiUpper < other.CiLower || other.CiUpper < CiLower);
}
