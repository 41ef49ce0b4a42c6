namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>
/// scripts/ab-trials, which labels each trial of a gpu-ab run with its variant and round, through its --csv input (the
/// store's `results trials --format csv`): the matching of sweeps to the log's rounds, the figures it prints, and what
/// it refuses.
/// </summary>
public sealed class AbTrialsTests : IDisposable
{
    readonly TempFolder temp = new();
    string dir => temp.Path;

    const string Header = "sweep_id,trial,engine,dtype,input_tokens,status,ttft_median_ms,ttft_p10_ms,ttft_p90_ms,tps_median,tps_p10,tps_p90";

    static string Trial(string sweep, string dtype, int input, double ttft, double tps) =>
        $"{sweep},t,fused,{dtype},{input},done,{ttft},{ttft - 0.001},{ttft + 0.002},{tps},{tps - 3},{tps + 4}";

    (int Exit, string Output, string Error) Run(string log, params string[] rows)
    {
        var logPath = Path.Combine(dir, "fused-ab.txt");
        var csvPath = Path.Combine(dir, "trials.csv");
        File.WriteAllText(logPath, log);
        File.WriteAllLines(csvPath, [Header, .. rows]);
        return Scripts.Run("python3", "ab-trials", logPath, "--csv", csvPath);
    }

    const string TwoRounds = "=== base 1\n16:21 [1/1] done\n=== try 1\n=== base 2\n=== try 2\n";

    [Fact]
    public void Each_sweep_takes_the_log_round_it_ran_in_and_prints_ttft_to_the_microsecond()
    {
        var (exit, output, error) = Run(TwoRounds,
            Trial("20261206-1", "bf16", 128, 0.5325, 5621.44), Trial("20261206-1", "bf16", 32, 0.4196, 5612.8),
            Trial("20261206-2", "bf16", 128, 0.516, 5623), Trial("20261206-3", "bf16", 128, 0.529, 5616),
            Trial("20261206-4", "bf16", 128, 0.523, 5620));
        Assert.True(exit == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("base r1  fused bf16 in=  32  ttft 0.420 (0.419..0.422) ms  5,613 (5,610..5,617) tok/s", lines[0]);
        Assert.Equal("base r1  fused bf16 in= 128  ttft 0.532 (0.531..0.534) ms  5,621 (5,618..5,625) tok/s", lines[1]);
        Assert.Equal(["base r1", "base r1", "try r1", "base r2", "try r2"], lines.Select(l => l.Split("  ")[0].Trim()));
    }

    [Fact]
    public void A_store_reused_from_earlier_runs_gives_its_last_sweeps_to_the_log()
    {
        var (exit, output, error) = Run("=== base 1\n=== try 1\n",
            Trial("20261206-1", "int8", 128, 0.55, 6083), Trial("20261206-2", "int8", 128, 0.51, 6064),
            Trial("20261206-3", "int8", 128, 0.552, 6051));
        Assert.True(exit == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("base r1  fused int8 in= 128  ttft 0.510 ", lines[0]);
        Assert.StartsWith("try r1   fused int8 in= 128  ttft 0.552 ", lines[1]);
    }

    [Fact]
    public void A_trial_the_run_was_stopped_in_says_so()
    {
        var (exit, output, error) = Run("=== base 1\n", "20261206-1,t,fused,int8,32,pending,,,,,,");
        Assert.True(exit == 0, error);
        Assert.Equal("base r1  fused int8 in=  32  pending, no samples", output.TrimEnd());
    }

    [Fact]
    public void Fewer_sweeps_than_the_logs_rounds_are_refused_with_both_counts()
    {
        var (exit, _, error) = Run(TwoRounds, Trial("20261206-1", "bf16", 128, 0.53, 5621));
        Assert.NotEqual(0, exit);
        Assert.Contains("1 sweeps", error);
        Assert.Contains("4 '=== NAME ROUND' lines", error);
    }

    public void Dispose() => temp.Dispose();
}
