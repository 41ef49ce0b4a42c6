namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>scripts/check-gate, which names the variants of a gpu-ab run of a check that passed it.</summary>
public sealed class CheckGateTests : IDisposable
{
    readonly TempFolder temp = new();
    string dir => temp.Path;

    [Fact]
    public void A_variant_passes_where_every_round_has_an_ok_line_and_none_fails()
    {
        var path = Path.Combine(dir, "gemv-ab.txt");
        File.WriteAllText(path,
            "=== base 1\nok   gemv bf16 gemv_ln_4 50257x768\n" +
            "=== good 1\nok   gemv bf16 gemv_ln_4 50257x768\nok   gemv int8 gemv_ln_2 50257x768\n" +
            "=== failed 1\nok   gemv bf16 gemv_ln_4 50257x768\nFAIL gemv int8 gemv_ln_2 50257x768\n" +
            "=== crashed 1\nUnhandled exception. System.Exception: no GPU\n" +
            "=== good 2\nok   gemv bf16 gemv_ln_4 50257x768\n" +
            "=== failed 2\nok   gemv bf16 gemv_ln_4 50257x768\n");
        var (exit, output, error) = Scripts.Run("bash", "check-gate", path, "^ *ok", "good=a/gemv.cu", "failed=b/gemv.cu", "crashed", "absent");
        Assert.True(exit == 0, error);
        Assert.Equal("good=a/gemv.cu\n", output);
    }

    [Fact]
    public void Without_a_log_it_says_how_it_is_used()
    {
        var (exit, _, error) = Scripts.Run("bash", "check-gate", Path.Combine(dir, "missing.txt"), "^ok", "good");
        Assert.Equal(2, exit);
        Assert.Contains("scripts/check-gate LOG OK VARIANT...", error);
    }

    public void Dispose() => temp.Dispose();
}
