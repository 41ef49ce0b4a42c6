using GptBench.Analysis.Statistics;
using ScottPlot;

namespace GptBench.Analysis.Plots;

/// <summary>
/// The seed's two figures: TTFT against input tokens and decode throughput against output tokens,
/// one line of medians per series with a shaded p10..p90 band. Null when no series qualifies.
/// </summary>
public static class TokenFigures
{
    /// <summary>When the drawn values (ceilings included) span more than this ratio, the throughput axis is log10.</summary>
    const double LogScaleRatio = 20;

    public const string TtftName = "ttft", ThroughputName = "throughput";

    public static Figure? Ttft(IReadOnlyList<TrialStatistics> trials)
    {
        var lines = SeriesRule.Lines(trials, VaryingTokens.Input);
        if (lines.Count == 0) return null;
        var plot = new Plot();
        DrawMedians(plot, lines, s => s.Ttft, y => y);
        plot.Title("Time to first token (median, band p10..p90)");
        plot.XLabel("Input tokens");
        plot.YLabel("TTFT (ms)");
        plot.ShowLegend(Edge.Bottom);
        return new Figure(TtftName, "Time to first token against input tokens", plot);
    }

    public static Figure? Throughput(IReadOnlyList<TrialStatistics> trials)
    {
        var lines = SeriesRule.Lines(trials, VaryingTokens.Output);
        if (lines.Count == 0) return null;
        var limits = BandwidthLimit.Of(lines);
        var measured = lines.SelectMany(l => l.Trials).Select(t => t.Throughput).ToList();
        double lowest = measured.Min(s => s.P10);
        double highest = Math.Max(measured.Max(s => s.P90), limits.Select(l => l.TokensPerSecond).DefaultIfEmpty(0).Max());
        bool log = lowest > 0 && highest > LogScaleRatio * lowest;
        Func<double, double> y = log ? Math.Log10 : v => v;

        var plot = new Plot();
        DrawMedians(plot, lines, s => s.Throughput, y);
        foreach (var limit in limits)
        {
            var line = plot.Add.HorizontalLine(y(limit.TokensPerSecond), 1.5f, Figure.Palette.GetColor(limit.LineIndex), LinePattern.Dashed);
            line.LegendText = limit.Label;
        }
        if (log) LogScale.Apply(plot, lowest, highest);
        plot.Title("Decode throughput (median, band p10..p90)" + (log ? ", log scale" : ""));
        plot.XLabel("Output tokens");
        plot.YLabel("Tokens per second");
        plot.ShowLegend(Edge.Bottom);
        return new Figure(ThroughputName, "Decode throughput against output tokens", plot);
    }

    static void DrawMedians(Plot plot, IReadOnlyList<Series> lines, Func<TrialStatistics, Summary> metric, Func<double, double> y)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            var color = Figure.Palette.GetColor(i);
            var x = lines[i].X;
            var summaries = lines[i].Trials.Select(metric).ToArray();
            var band = plot.Add.FillY(x, summaries.Select(s => y(s.P10)).ToArray(), summaries.Select(s => y(s.P90)).ToArray());
            band.FillColor = color.WithAlpha(0.2);
            band.LineWidth = 0;
            var median = plot.Add.Scatter(x, summaries.Select(s => y(s.Median)).ToArray(), color);
            median.LegendText = lines[i].Label;
            median.LineWidth = 2;
            median.MarkerSize = 5;
        }
    }
}
