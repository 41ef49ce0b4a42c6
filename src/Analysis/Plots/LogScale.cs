using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace GptBench.Analysis.Plots;

/// <summary>
/// A log10 y axis for a plot whose values were drawn as log10(value): labels at 1, 2 and 5 per decade.
/// Used where a ceiling lies far above the measurements, which a linear axis would flatten.
/// </summary>
static class LogScale
{
    public static double[] Of(IEnumerable<double> values) => values.Select(Math.Log10).ToArray();

    public static void Apply(Plot plot, double min, double max)
    {
        var ticks = new NumericManual();
        for (int decade = (int)Math.Floor(Math.Log10(min)); decade <= (int)Math.Ceiling(Math.Log10(max)); decade++)
            for (int mantissa = 1; mantissa <= 9; mantissa++)
            {
                double value = mantissa * Math.Pow(10, decade);
                if (mantissa is 1 or 2 or 5)
                    ticks.AddMajor(Math.Log10(value), value.ToString(value >= 1 ? "N0" : "G2", CultureInfo.InvariantCulture));
                else
                    ticks.AddMinor(Math.Log10(value));
            }
        plot.Axes.Left.TickGenerator = ticks;
        double margin = 0.05 * (Math.Log10(max) - Math.Log10(min));
        plot.Axes.SetLimitsY(Math.Log10(min) - margin, Math.Log10(max) + margin);
    }
}
