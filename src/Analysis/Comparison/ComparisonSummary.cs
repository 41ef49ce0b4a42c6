namespace GptBench.Analysis.Comparison;

/// <summary>The lines under a comparison's table: what was compared, counts, each regression, what was unmatched.</summary>
public static class ComparisonSummary
{
    public static void Write(ComparisonResult result, TextWriter output)
    {
        output.WriteLine($"A = {result.A.Id} ({result.A.Name}), B = {result.B.Id} ({result.B.Name})");
        output.WriteLine($"{result.Rows.Count} comparisons: {result.Count(Verdict.Regression)} regressions, " +
                         $"{result.Count(Verdict.Improvement)} improvements, {result.Count(Verdict.Same)} same, " +
                         FormattableString.Invariant($"{result.Count(Verdict.Small)} small (apart, under {result.MinChange * 100:0.##}%), ") +
                         $"{result.Count(Verdict.Unclear)} unclear (fewer than 2 samples)");
        foreach (var r in result.Rows.Where(r => r.Verdict == Verdict.Regression))
            output.WriteLine(FormattableString.Invariant(
                $"regression: {r.Key} {Metrics.Name(r.Metric)} B/A = {r.Ratio.Ratio:0.000} [{r.Ratio.Lower:0.000}, {r.Ratio.Upper:0.000}] ({(Metrics.LowerIsBetter(r.Metric) ? "lower" : "higher")} is better)"));
        if (result.OnlyInA.Count > 0) output.WriteLine($"only in A ({result.OnlyInA.Count}): {string.Join("; ", result.OnlyInA)}");
        if (result.OnlyInB.Count > 0) output.WriteLine($"only in B ({result.OnlyInB.Count}): {string.Join("; ", result.OnlyInB)}");
    }
}
