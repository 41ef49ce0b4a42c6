using Perfolizer.Mathematics.QuantileEstimators;
using ScottPlot;

namespace GptBench.Analysis.Plots;

/// <summary>The gaps between consecutive tokens of every sample of one series, pooled.</summary>
public sealed record InterTokenGaps(string Label, IReadOnlyList<double> GapsMs);

/// <summary>
/// Inter-token latency as a cumulative distribution per series. Drawn through 200 quantiles, so the
/// file stays small however many tokens there were; the x axis stops a little past the largest p99.
/// </summary>
public static class InterTokenFigure
{
    const int Points = 200;

    public static Figure? Build(IReadOnlyList<InterTokenGaps> series)
    {
        var drawn = series.Where(s => s.GapsMs.Count > 0).ToList();
        if (drawn.Count == 0) return null;
        var plot = new Plot();
        var q = SimpleQuantileEstimator.Instance;
        var probabilities = Enumerable.Range(0, Points + 1).Select(i => (double)i / Points).ToArray();
        for (int i = 0; i < drawn.Count; i++)
        {
            var x = probabilities.Select(p => q.Quantile(drawn[i].GapsMs, p)).ToArray();
            var cdf = plot.Add.ScatterLine(x, probabilities, Figure.Palette.GetColor(i));
            cdf.LegendText = drawn[i].Label;
            cdf.LineWidth = 2;
        }
        double xMax = drawn.Max(s => q.Quantile(s.GapsMs, 0.99)) * 1.15;
        plot.Axes.SetLimits(0, xMax, 0, 1.02);
        plot.Title("Inter-token latency (cumulative distribution)");
        plot.XLabel("Time between consecutive tokens (ms)");
        plot.YLabel("Fraction of tokens");
        plot.ShowLegend(Edge.Bottom);
        return new Figure("inter-token", "Inter-token latency distribution", plot);
    }
}
