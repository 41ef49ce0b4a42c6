using System.Globalization;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Queries;

/// <summary>Short names for a trial's parameters, shared by tables, plots and comparisons.</summary>
public static class TrialLabels
{
    /// <summary>model|engine|dtype: what a plot's line and a comparison's row are named by.</summary>
    public static string Configuration(TrialDoc t) => $"{t.Model}|{t.Engine}|{t.Dtype}";

    public static string Sampling(TrialDoc t) =>
        t.Greedy ? "greedy" : string.Create(CultureInfo.InvariantCulture, $"t={t.Temperature},k={t.TopK}");

    /// <summary>The axis names of these trials, in the order they first appear.</summary>
    public static IReadOnlyList<string> AxisNames(IEnumerable<TrialDoc> trials) =>
        trials.SelectMany(t => t.Axes.Keys).Distinct().ToList();
}
