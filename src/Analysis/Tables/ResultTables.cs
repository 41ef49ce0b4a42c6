using GptBench.Analysis.Queries;
using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tables;

/// <summary>The tables `results` prints and `report` shows. Column names are stable: scripts read them.</summary>
public static class ResultTables
{
    const string Ms = "0.00", Rate = "0.0", Pct = "0.0";

    public static Table Sweeps(IEnumerable<(SweepDoc Sweep, IReadOnlyList<TrialRow> Trials)> sweeps)
    {
        var table = new Table([
            new("sweep_id"), new("name"), new("file"), new("created_utc"), new("finished_utc"),
            new("trials"), new("done"), new("failed"), new("host"), new("git_commit")]);
        foreach (var (s, trials) in sweeps)
            table.Add(s.Id, s.Name, s.File, s.CreatedUtc, s.FinishedUtc, trials.Count,
                trials.Count(t => t.Trial.Status == TrialStatus.Done),
                trials.Count(t => t.Trial.Status == TrialStatus.Failed),
                s.Host, s.GitCommit);
        return table;
    }

    public static Table Environments(IEnumerable<EnvironmentDoc> environments)
    {
        var table = new Table([
            new("environment"), new("host"), new("cpu"), new("device"), new("gpu"), new("driver"), new("cuda_runtime"),
            new("libtorch"), new("torchsharp"), new("dotnet"), new("visible_devices"), new("gpu_uuid"), new("gpu_index"),
            new("gpus_seen"), new("git_commit")]);
        foreach (var e in environments)
            table.Add(e.Id, e.Host, e.Cpu, e.Device, e.GpuName, e.Driver, e.CudaRuntime,
                e.Libtorch, e.TorchSharp, e.DotNet, e.VisibleDevices, e.GpuUuid, e.GpuIndex, e.GpuCount, e.GitCommit);
        return table;
    }

    /// <summary>One row per trial with its statistics (empty cells for a trial without samples).</summary>
    public static Table Trials(IReadOnlyList<(TrialRow Row, TrialStatistics? Stats)> trials)
    {
        var axes = TrialLabels.AxisNames(trials.Select(t => t.Row.Trial));
        Column[] stats =
        [
            new("ttft_median_ms", Ms), new("ttft_mean_ms", Ms), new("ttft_ci95_low_ms", Ms), new("ttft_ci95_high_ms", Ms),
            new("ttft_sd_ms", Ms), new("ttft_p10_ms", Ms), new("ttft_p90_ms", Ms), new("ttft_outliers"),
            new("tps_median", Rate), new("tps_mean", Rate), new("tps_ci95_low", Rate), new("tps_ci95_high", Rate),
            new("tps_sd", Rate), new("tps_p10", Rate), new("tps_p90", Rate), new("tps_outliers"),
            new("itl_p50_ms", Ms), new("itl_p90_ms", Ms), new("itl_p99_ms", Ms),
            new("achieved_gb_s", Ms), new("limit_gb_s", Rate), new("pct_of_limit", Pct), new("limit_tps", Rate),
        ];
        var table = new Table([
            new("sweep_id"), new("trial"), new("model"), new("engine"), new("dtype"), new("device"),
            new("input_tokens"), new("output_tokens"), new("sampling"),
            .. axes.Select(a => new Column("axis." + a)),
            new("status"), new("samples"), .. stats, new("gpu"), new("slot"), new("gpu_uuid")]);
        foreach (var (row, s) in trials)
        {
            var t = row.Trial;
            table.Add([
                t.SweepId, t.TrialHash, t.Model, t.Engine, t.Dtype, t.Device, t.InputTokens, t.OutputTokens,
                TrialLabels.Sampling(t), .. axes.Select(a => t.Axes.GetValueOrDefault(a)),
                t.Status, s?.Ttft.Count ?? 0, .. s is null ? new object?[stats.Length] : StatisticsCells(s),
                row.Environment?.GpuName, t.Worker, row.Environment?.GpuUuid]);
        }
        return table;
    }

    static object?[] StatisticsCells(TrialStatistics s) =>
    [
        s.Ttft.Median, s.Ttft.Mean, s.Ttft.CiLower, s.Ttft.CiUpper, s.Ttft.StdDev, s.Ttft.P10, s.Ttft.P90, s.Ttft.Outliers.Count,
        s.Throughput.Median, s.Throughput.Mean, s.Throughput.CiLower, s.Throughput.CiUpper, s.Throughput.StdDev,
        s.Throughput.P10, s.Throughput.P90, s.Throughput.Outliers.Count,
        s.InterToken.P50, s.InterToken.P90, s.InterToken.P99,
        s.AchievedBytesPerSecond.Median / 1e9, s.Limit?.BytesPerSecond / 1e9, s.PercentOfLimit, s.LimitTokensPerSecond,
    ];

    /// <summary>One row per sample with its trial's parameters: the export format.</summary>
    public static Table Samples(IReadOnlyList<SampleRow> samples)
    {
        var axes = TrialLabels.AxisNames(samples.Select(s => s.Trial.Trial).Distinct());
        var table = new Table([
            new("sweep_id"), new("trial"), new("model"), new("engine"), new("dtype"), new("device"),
            new("input_tokens"), new("output_tokens"), new("greedy"), new("temperature"), new("top_k"), new("seed"),
            .. axes.Select(a => new Column("axis." + a)),
            new("sample"), new("ttft_ms", Ms), new("tokens_per_s", Rate), new("tokens"), new("itl_median_ms", Ms),
            new("weight_bytes_per_token"), new("cache_bytes_per_token"), new("achieved_gb_s", Ms),
            new("gpu"), new("host"), new("slot"), new("gpu_uuid"), new("created_utc")]);
        foreach (var (row, s) in samples)
        {
            var t = row.Trial;
            var gaps = LatencyPercentiles.Of([s]);
            table.Add([
                t.SweepId, t.TrialHash, t.Model, t.Engine, t.Dtype, t.Device, t.InputTokens, t.OutputTokens,
                t.Greedy, t.Temperature, t.TopK, t.Seed, .. axes.Select(a => t.Axes.GetValueOrDefault(a)),
                s.Index, s.TtftMs, s.TokensPerSecond, s.TokenArrivalMs.Length, gaps.P50,
                s.WeightBytesPerToken, s.CacheBytesPerToken, SampleBandwidth.AchievedBytesPerSecond(s) / 1e9,
                row.Environment?.GpuName, row.Environment?.Host ?? row.Sweep.Host, t.Worker, row.Environment?.GpuUuid, s.CreatedUtc]);
        }
        return table;
    }
}
