using GptBench.Analysis.Queries;
using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Plots;

/// <summary>Which token count a figure's x axis shows.</summary>
public enum VaryingTokens { Input, Output }

/// <summary>What a line stands for: model|engine|dtype, on a device, with a sampling rule. Colors follow it.</summary>
public sealed record SeriesIdentity(string Configuration, string Device, string Sampling)
{
    public static SeriesIdentity Of(TrialDoc t) => new(TrialLabels.Configuration(t), t.Device, TrialLabels.Sampling(t));
}

/// <summary>One line: trials of one identity and one fixed other token count, in x order.</summary>
public sealed record Series(SeriesIdentity Identity, string Label, VaryingTokens Varying, IReadOnlyList<TrialStatistics> Trials)
{
    public double[] X => Trials.Select(t => (double)Tokens(t.Trial, Varying)).ToArray();

    public static int Tokens(TrialDoc t, VaryingTokens varying) =>
        varying == VaryingTokens.Input ? t.InputTokens : t.OutputTokens;
}

/// <summary>
/// The rule that puts trials on a figure, so that no experiment has to name it: trials are grouped by
/// identity and by the token count the figure holds fixed (output tokens for the TTFT figure, input
/// tokens for the throughput figure); a group becomes a line when the varying count takes two or more
/// values in it. A trial may sit on both figures (e.g. 32 in, 32 out); a trial that varies neither is on none.
/// Labels show model|engine|dtype, plus device, sampling or the fixed count only where lines differ by them.
/// </summary>
public static class SeriesRule
{
    public static IReadOnlyList<Series> Lines(IEnumerable<TrialStatistics> trials, VaryingTokens varying)
    {
        var fixedTokens = varying == VaryingTokens.Input ? VaryingTokens.Output : VaryingTokens.Input;
        var groups = trials
            .GroupBy(s => (Identity: SeriesIdentity.Of(s.Trial), Fixed: Series.Tokens(s.Trial, fixedTokens)))
            .Where(g => g.Select(s => Series.Tokens(s.Trial, varying)).Distinct().Count() >= 2)
            .OrderBy(g => g.Key.Identity.Configuration).ThenBy(g => g.Key.Identity.Device)
            .ThenBy(g => g.Key.Identity.Sampling).ThenBy(g => g.Key.Fixed)
            .ToList();
        var names = IdentityLabels(groups.Select(g => g.Key.Identity));
        bool showFixed = names.Count < groups.Count;
        string fixedName = fixedTokens == VaryingTokens.Input ? "in" : "out";
        return groups.Select(g =>
        {
            var label = names[g.Key.Identity] + (showFixed ? $" {fixedName}={g.Key.Fixed}" : "");
            var ordered = g.OrderBy(s => Series.Tokens(s.Trial, varying)).ToList();
            return new Series(g.Key.Identity, label, varying, ordered);
        }).ToList();
    }

    /// <summary>model|engine|dtype, plus device and sampling where the identities differ by them.</summary>
    public static IReadOnlyDictionary<SeriesIdentity, string> IdentityLabels(IEnumerable<SeriesIdentity> identities)
    {
        var all = identities.Distinct().ToList();
        bool showDevice = all.Select(i => i.Device).Distinct().Count() > 1;
        bool showSampling = all.Select(i => i.Sampling).Distinct().Count() > 1;
        return all.ToDictionary(i => i, i => string.Join(" ", new[]
        {
            i.Configuration, showDevice ? i.Device : null, showSampling ? i.Sampling : null,
        }.OfType<string>()));
    }
}
