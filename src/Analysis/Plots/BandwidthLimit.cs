using GptBench.Analysis.Statistics;

namespace GptBench.Analysis.Plots;

/// <summary>
/// The decode ceiling a line's GPU sets: bandwidth / bytes moved per token (the series' median of
/// weights + KV cache). Ceilings that round to the same tokens/s on the same GPU are drawn once.
/// </summary>
sealed record BandwidthLimit(int LineIndex, GpuBandwidth Gpu, double BytesPerToken)
{
    public double TokensPerSecond => Gpu.BytesPerSecond / BytesPerToken;

    public string Label => FormattableString.Invariant(
        $"{Gpu.Gpu} limit: {Gpu.BytesPerSecond / 1e12:0.0} TB/s / {BytesPerToken / 1e6:0.#} MB per token = {TokensPerSecond:N0} tok/s");

    public static IReadOnlyList<BandwidthLimit> Of(IReadOnlyList<Series> lines) =>
        lines
            .Select((line, i) => (Index: i, Line: line, Gpu: line.Trials.Select(t => t.Limit).FirstOrDefault(l => l is not null)))
            .Where(l => l.Gpu is not null)
            .Select(l => new BandwidthLimit(l.Index, l.Gpu!, Summary.Of(l.Line.Trials.Select(t => t.BytesPerToken).ToArray()).Median))
            .Where(l => l.BytesPerToken > 0)
            .DistinctBy(l => (l.Gpu.Gpu, Math.Round(l.TokensPerSecond)))
            .ToList();
}
