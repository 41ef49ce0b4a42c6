using GptBench.Analysis.Queries;
using GptBench.Analysis.Statistics;

namespace GptBench.Analysis.Tables;

/// <summary>
/// `results slots`: which worker slot (and the GPU its engine saw) produced which samples, for the
/// accounting of a sweep run by several workers and for checking that slots measure alike.
/// </summary>
public static class SlotTable
{
    const string Ms = "0.00", Rate = "0.0";

    /// <summary>
    /// The slot a sample came from: its sweep (a slot named gpu0 in another run is another slot), host,
    /// slot name and the device its engine process saw.
    /// </summary>
    sealed record Slot(string SweepId, string? Host, string? Name, string? Device, string? Gpu, string? GpuUuid, string? VisibleDevices, int? GpusSeen)
    {
        public static Slot Of(TrialRow row) => new(row.Sweep.Id, row.Environment?.Host ?? row.Sweep.Host, row.Trial.Worker,
            row.Environment?.Device, row.Environment?.GpuName, row.Environment?.GpuUuid, row.Environment?.VisibleDevices, row.Environment?.GpuCount);

        public string Describe() => $"sweep {SweepId}, {Name ?? "?"} on {Host} ({GpuUuid ?? Gpu ?? Device ?? "?"})";
    }

    /// <summary>
    /// One row per trial point (model, engine, dtype, device, sampling, token counts) and slot, the slots of
    /// one point next to each other: its trials and samples there, and median tokens/s and TTFT with their
    /// p10..p90 spread over those samples. gpus_seen is how many GPUs the slot's engine process saw (1 when pinned).
    /// </summary>
    public static Table Of(IReadOnlyList<SampleRow> samples)
    {
        var table = new Table([
            new("model"), new("engine"), new("dtype"), new("device"), new("sampling"), new("input_tokens"), new("output_tokens"),
            new("sweep_id"), new("host"), new("slot"), new("gpu"), new("gpu_uuid"), new("visible_devices"), new("gpus_seen"), new("trials"), new("samples"),
            new("tps_median", Rate), new("tps_p10", Rate), new("tps_p90", Rate),
            new("ttft_median_ms", Ms), new("ttft_p10_ms", Ms), new("ttft_p90_ms", Ms)]);
        foreach (var point in samples.GroupBy(s => Point(s.Trial)))
        foreach (var slot in BySlot(point))
        {
            var t = slot.First().Trial.Trial;
            var tps = Summary.Of(slot.Select(s => s.Sample.TokensPerSecond).ToArray());
            var ttft = Summary.Of(slot.Select(s => s.Sample.TtftMs).ToArray());
            table.Add(
                t.Model, t.Engine, t.Dtype, t.Device, TrialLabels.Sampling(t), t.InputTokens, t.OutputTokens,
                slot.Key.SweepId, slot.Key.Host, slot.Key.Name, slot.Key.Gpu, slot.Key.GpuUuid, slot.Key.VisibleDevices, slot.Key.GpusSeen,
                slot.Select(s => s.Trial.Trial.Id).Distinct().Count(), slot.Count(),
                tps.Median, tps.P10, tps.P90, ttft.Median, ttft.P10, ttft.P90);
        }
        return table;
    }

    /// <summary>Per slot, over every point: "sweep ID, gpu0 on box (GPU-...): 9 trials, 27 samples".</summary>
    public static IEnumerable<string> Totals(IReadOnlyList<SampleRow> samples) =>
        BySlot(samples).Select(g => $"{g.Key.Describe()}: {g.Select(s => s.Trial.Trial.Id).Distinct().Count()} trials, {g.Count()} samples");

    /// <summary>Sweeps oldest first, then slots by host and name.</summary>
    static IEnumerable<IGrouping<Slot, SampleRow>> BySlot(IEnumerable<SampleRow> samples) =>
        samples.GroupBy(s => Slot.Of(s.Trial))
            .OrderBy(g => g.First().Trial.Sweep.CreatedUtc).ThenBy(g => g.Key.Host).ThenBy(g => g.Key.Name, StringComparer.Ordinal);

    static string Point(TrialRow row)
    {
        var t = row.Trial;
        return $"{TrialLabels.Configuration(t)}|{t.Device}|{TrialLabels.Sampling(t)}|{t.InputTokens}|{t.OutputTokens}";
    }
}
