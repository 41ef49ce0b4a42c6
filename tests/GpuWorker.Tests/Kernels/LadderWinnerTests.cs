using static GptBench.GpuWorker.Tests.Kernels.DecodeGateTests;

namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>scripts/ladder-winner, which names the probe a call's ladder runs: the one whose decode beat base's by the most.</summary>
public sealed class LadderWinnerTests : IDisposable
{
    readonly TempFolder temp = new();
    string work => temp.Path;

    string Variants => Path.Combine(work, "variants");

    /// <summary>A probe's folder of results with its decode A/B log, and its variants' built files.</summary>
    void Probe(string folder, string log, params string[] variants)
    {
        Directory.CreateDirectory(Path.Combine(work, folder));
        File.WriteAllText(Path.Combine(work, folder, "fused-ab.txt"), log);
        foreach (var v in variants)
        {
            Directory.CreateDirectory(Path.Combine(Variants, v));
            File.WriteAllText(Path.Combine(Variants, v, "layers.cu"), "");
        }
    }

    (int Exit, string Output, string Error) Run(params string[] arguments) =>
        Scripts.Run("bash", "ladder-winner", ["--work", work, "--variants", Variants, .. arguments]);

    [Fact]
    public void The_variant_with_the_largest_decode_gain_over_its_own_base_is_named_with_its_files()
    {
        Probe("one", Round("base", 1, 6000) + Round("small", 1, 6012) + Round("none", 1, 5990), "small", "none");
        Probe("two", Round("base", 1, 5900) + Round("large", 1, 5930), "large"); // +0.51% against +0.2%, on its own base
        var (exit, output, error) = Run("one:small,none", "two:large");
        Assert.True(exit == 0, error);
        Assert.Equal($"large={Path.Combine(Variants, "large", "layers.cu")}\n", output);
    }

    [Fact]
    public void With_dtype_int8_the_int8_decode_gain_decides()
    {
        Probe("one", Round("base", 1, 6000, 6400) + Round("int8fast", 1, 5700, 6480) + Round("bf16fast", 1, 6050, 6390),
              "int8fast", "bf16fast");
        Assert.Equal($"int8fast={Path.Combine(Variants, "int8fast", "layers.cu")}\n", Run("--dtype", "int8", "one:int8fast,bf16fast").Output);
        Assert.Equal($"bf16fast={Path.Combine(Variants, "bf16fast", "layers.cu")}\n", Run("one:int8fast,bf16fast").Output);
    }

    [Fact]
    public void Nothing_is_named_where_no_variant_beat_base_or_a_probe_left_no_decode_log()
    {
        Probe("slower", Round("base", 1, 6000) + Round("slow", 1, 5990), "slow");
        Directory.CreateDirectory(Path.Combine(Variants, "unrun"));
        var (exit, output, error) = Run("slower:slow", "missing:unrun");
        Assert.True(exit == 0, error);
        Assert.Equal("", output);
    }

    [Fact]
    public void A_variant_that_was_never_built_is_an_error()
    {
        Probe("one", Round("base", 1, 6000) + Round("built", 1, 6100), "built");
        var (exit, _, error) = Run("one:built,typo");
        Assert.Equal(2, exit);
        Assert.Contains("no " + Path.Combine(Variants, "typo"), error);
    }

    public void Dispose() => temp.Dispose();
}
