using GptBench.Analysis.Tables;

namespace GptBench.Analysis.Comparison;

/// <summary>One row per matched trial and metric: both sides, the ratio B/A and the verdict.</summary>
public static class ComparisonTable
{
    public static Table Of(ComparisonResult result)
    {
        const string N = "0.00";
        var table = new Table([
            new("model"), new("engine"), new("dtype"), new("device"), new("input_tokens"), new("output_tokens"), new("sampling"),
            new("metric"), new("better"),
            new("a_n"), new("a_median", N), new("a_ci95_low", N), new("a_ci95_high", N),
            new("b_n"), new("b_median", N), new("b_ci95_low", N), new("b_ci95_high", N),
            new("ratio_b_a", "0.000"), new("ratio_ci95_low", "0.000"), new("ratio_ci95_high", "0.000"), new("verdict")]);
        foreach (var r in result.Rows)
        {
            var k = r.Key;
            table.Add(k.Model, k.Engine, k.Dtype, k.Device, k.InputTokens, k.OutputTokens, k.Sampling,
                Metrics.Name(r.Metric), Metrics.LowerIsBetter(r.Metric) ? "lower" : "higher",
                r.A.Count, r.A.Median, r.A.CiLower, r.A.CiUpper,
                r.B.Count, r.B.Median, r.B.CiLower, r.B.CiUpper,
                r.Ratio.Ratio, r.Ratio.Lower, r.Ratio.Upper, r.Verdict.ToString().ToLowerInvariant());
        }
        return table;
    }
}
