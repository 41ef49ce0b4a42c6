namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>scripts/step-gate, which picks the variants of a step-check A/B that go on to the orchestrator.</summary>
public sealed class StepGateTests : IDisposable
{
    readonly TempFolder temp = new();
    string dir => temp.Path;

    static string Step(string weights, double us, string verdict = "ok  ") =>
        $"{verdict} decode step {weights} persistent layers positions 0..400     error 0.0e+0    {us:0.00} us ({us - 4:0.00}..{us + 7:0.00} over 7)\n";

    (int Exit, string Output, string Error) Run(string log, params string[] variants)
    {
        var path = Path.Combine(dir, "step-ab.txt");
        File.WriteAllText(path, log);
        return Scripts.Run("bash", "step-gate", [path, .. variants]);
    }

    [Fact]
    public void A_variant_goes_on_where_it_passed_and_its_bf16_or_int8_step_over_the_rounds_beat_base()
    {
        var log = "=== base 1\n" + Step("bf16", 170) + Step("int8", 157) +
                  "=== int8faster 1\n" + Step("bf16", 172) + Step("int8", 155) +
                  "=== mixed 1\n" + Step("bf16", 171) + Step("int8", 158) +
                  "=== broken 1\n" + Step("bf16", 160) + Step("int8", 150, "FAIL") +
                  "=== base 2\n" + Step("bf16", 170) + Step("int8", 157) +
                  "=== int8faster 2\n" + Step("bf16", 172) + Step("int8", 156) +
                  "=== mixed 2\n" + Step("bf16", 168) + Step("int8", 158) + // slower in round 1, faster over both: 339 against 340
                  "=== broken 2\n" + Step("bf16", 160) + Step("int8", 150);
        var (exit, output, error) = Run(log, "int8faster=a/layers.cu", "mixed=b/layers.cu", "broken=c/layers.cu");
        Assert.True(exit == 0, error);
        Assert.Equal("int8faster=a/layers.cu\nmixed=b/layers.cu\n", output);
    }

    [Fact]
    public void A_variant_with_no_step_line_or_a_slower_step_does_not_go_on()
    {
        var log = "=== base 1\n" + Step("bf16", 170) + Step("int8", 157) +
                  "=== crashed 1\nUnhandled exception. System.Exception: no GPU\n" +
                  "=== slower 1\n" + Step("bf16", 171) + Step("int8", 158);
        var (exit, output, error) = Run(log, "crashed", "slower=b/layers.cu");
        Assert.True(exit == 0, error);
        Assert.Equal("", output);
    }

    [Fact]
    public void Without_a_log_it_says_how_it_is_used()
    {
        var (exit, _, error) = Scripts.Run("bash", "step-gate", Path.Combine(dir, "missing.txt"), "late=a/layers.cu");
        Assert.Equal(2, exit);
        Assert.Contains("scripts/step-gate LOG VARIANT...", error);
    }

    public void Dispose() => temp.Dispose();
}
