using Perfolizer.Mathematics.QuantileEstimators;

namespace GptBench.Analysis.Comparison;

/// <summary>Ratio of medians B/A with a 95% percentile-bootstrap interval.</summary>
public sealed record RatioInterval(double Ratio, double Lower, double Upper)
{
    public const int Resamples = 2000;
    /// <summary>Fixed, so the same two sweeps always compare to the same numbers.</summary>
    public const int Seed = 20250301;

    static readonly IQuantileEstimator Quantiles = SimpleQuantileEstimator.Instance;

    public static RatioInterval OfMedians(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var rng = new Random(Seed);
        var ratios = new double[Resamples];
        for (int i = 0; i < Resamples; i++)
            ratios[i] = Quantiles.Quantile(Resample(b, rng), 0.5) / Quantiles.Quantile(Resample(a, rng), 0.5);
        return new RatioInterval(
            Quantiles.Quantile(b, 0.5) / Quantiles.Quantile(a, 0.5),
            Quantiles.Quantile(ratios, 0.025),
            Quantiles.Quantile(ratios, 0.975));
    }

    static double[] Resample(IReadOnlyList<double> values, Random rng)
    {
        var drawn = new double[values.Count];
        for (int i = 0; i < drawn.Length; i++) drawn[i] = values[rng.Next(values.Count)];
        return drawn;
    }
}
