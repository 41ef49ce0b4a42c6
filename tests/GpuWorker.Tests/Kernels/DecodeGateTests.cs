namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>scripts/decode-gate, which picks the variants of a decode A/B that beat base (the one a ladder then runs).</summary>
public sealed class DecodeGateTests : IDisposable
{
    readonly TempFolder temp = new();
    string dir => temp.Path;

    static string Done(string weights, int input, int output, int tokensPerSecond) =>
        $"11:04:07 [1/4] done gpt2 fused {weights} cuda in={input} out={output}: ttft 0.43 ms, {tokensPerSecond} tok/s (median of 3),\n";

    /// <summary>Round <paramref name="round"/> of variant <paramref name="name"/> in a scripts/decode-ab log: decode at 32 in / 256 out of <paramref name="bf16"/> tok/s in bf16, <paramref name="int8"/> in int8.</summary>
    internal static string Round(string name, int round, int bf16, int int8 = 9000) =>
        $"=== {name} {round}\n" + Done("bf16", 32, 256, bf16) + Done("bf16", 128, 32, 9000) + Done("int8", 32, 256, int8);

    (int Exit, string Output, string Error) Run(string log, params string[] variants) => Run(log, [], variants);

    (int Exit, string Output, string Error) Run(string log, string[] options, string[] variants)
    {
        var path = Path.Combine(dir, "fused-ab.txt");
        File.WriteAllText(path, log);
        return Scripts.Run("bash", "decode-gate", [.. options, path, .. variants]);
    }

    [Fact]
    public void A_variant_goes_on_where_its_bf16_decode_at_32_in_256_out_beat_base_in_every_round()
    {
        var log = Round("base", 1, 5950) + Round("faster", 1, 5955) + Round("slower", 1, 5940) +
                  Round("base", 2, 5950) + Round("faster", 2, 5960) + Round("slower", 2, 5945);
        var (exit, output, error) = Run(log, "faster=a/sampling.cu", "slower=b/sampling.cu");
        Assert.True(exit == 0, error);
        Assert.Equal("faster=a/sampling.cu\n", output);
    }

    [Fact]
    public void A_variant_that_wins_the_sum_but_loses_a_round_does_not_go_on()
    {
        // 11,990 against 11,900 summed, but under base in round 1: the card's level can move that much between rounds.
        var log = Round("base", 1, 5950) + Round("lucky", 1, 5940) + Round("base", 2, 5950) + Round("lucky", 2, 6050);
        var (exit, output, error) = Run(log, "lucky=a/sampling.cu");
        Assert.True(exit == 0, error);
        Assert.Equal("", output);
    }

    [Fact]
    public void Rounds_compare_as_numbers_not_text()
    {
        var log = Round("base", 1, 9990) + Round("faster", 1, 10010);
        Assert.Equal("faster=a/sampling.cu\n", Run(log, "faster=a/sampling.cu").Output);
    }

    [Fact]
    public void With_ratio_each_winner_is_followed_by_its_decode_over_bases()
    {
        var log = Round("base", 1, 6000) + Round("faster", 1, 6030) + Round("slower", 1, 5990) +
                  Round("base", 2, 6000) + Round("faster", 2, 6024) + Round("slower", 2, 6000);
        var (exit, output, error) = Run(log, ["--ratio"], ["faster=a/sampling.cu", "slower=b/sampling.cu"]);
        Assert.True(exit == 0, error);
        Assert.Equal("faster=a/sampling.cu 1.0045\n", output); // 12,054 / 12,000
    }

    [Fact]
    public void With_dtype_int8_int8s_decode_is_compared_instead()
    {
        var log = Round("base", 1, 6000, 6400) + Round("int8only", 1, 5800, 6500) + Round("bf16only", 1, 6100, 6300);
        var (exit, output, error) = Run(log, ["--dtype", "int8", "--ratio"], ["int8only=a/layers.cu", "bf16only=b/layers.cu"]);
        Assert.True(exit == 0, error);
        Assert.Equal("int8only=a/layers.cu 1.0156\n", output); // 6,500 / 6,400
        Assert.Equal("bf16only=b/layers.cu\n", Run(log, "int8only=a/layers.cu", "bf16only=b/layers.cu").Output);
    }

    [Fact]
    public void A_weight_type_other_than_bf16_or_int8_is_refused()
    {
        var (exit, _, error) = Run(Round("base", 1, 6000), ["--dtype", "fp8"], ["x=a/layers.cu"]);
        Assert.Equal(2, exit);
        Assert.Contains("[--dtype bf16|int8]", error);
    }

    [Fact]
    public void A_variant_missing_a_round_or_absent_does_not_go_on()
    {
        var log = Round("base", 1, 5950) + Round("cut", 1, 6100) + Round("base", 2, 5950);
        var (exit, output, error) = Run(log, "cut=a/sampling.cu", "absent=b/sampling.cu");
        Assert.True(exit == 0, error);
        Assert.Equal("", output);
    }

    [Fact]
    public void Without_a_log_it_prints_its_usage()
    {
        var (exit, _, error) = Scripts.Run("bash", "decode-gate", Path.Combine(dir, "none.txt"), "x");
        Assert.Equal(2, exit);
        Assert.Contains("scripts/decode-gate [--ratio] [--dtype bf16|int8] LOG VARIANT...", error);
    }

    public void Dispose() => temp.Dispose();
}
