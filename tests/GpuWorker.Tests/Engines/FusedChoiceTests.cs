using GptBench.GpuWorker.Engines;

namespace GptBench.GpuWorker.Tests.Engines;

/// <summary>How the fused engine chooses its layer kernel and its prefill: the fast kind where it fits, unless the environment says.</summary>
public class FusedChoiceTests
{
    static (bool Fits, string Reason) Fits() => (true, "");
    static (bool Fits, string Reason) DoesNotFit() => (false, "needs two weight buffers of 199680 bytes");

    [Fact]
    public void By_default_the_fast_kind_runs_where_it_fits_and_the_engine_says_when_it_does_not()
    {
        var log = new StringWriter();
        Assert.True(FusedEngine.UseFast(FusedEngine.LayersChoice, null, Fits, log));
        Assert.Equal("", log.ToString());
        Assert.False(FusedEngine.UseFast(FusedEngine.LayersChoice, "", DoesNotFit, log));
        Assert.Contains("fused: five launches a layer (needs two weight buffers of 199680 bytes)", log.ToString());
        Assert.False(FusedEngine.UseFast(FusedEngine.PrefillChoice, null, () => (false, "heads are 80 wide"), log));
        Assert.Contains("fused: the prefill through TorchSharp (heads are 80 wide)", log.ToString());
    }

    [Fact]
    public void The_environment_forces_either_without_asking_whether_the_fast_kind_fits()
    {
        Func<(bool, string)> never = () => throw new InvalidOperationException("must not be asked");
        Assert.True(FusedEngine.UseFast(FusedEngine.LayersChoice, "persistent", never, TextWriter.Null));
        Assert.False(FusedEngine.UseFast(FusedEngine.LayersChoice, "per-kernel", never, TextWriter.Null));
        Assert.True(FusedEngine.UseFast(FusedEngine.PrefillChoice, "kernels", never, TextWriter.Null));
        Assert.False(FusedEngine.UseFast(FusedEngine.PrefillChoice, "torch", never, TextWriter.Null));
    }

    [Fact]
    public void An_unknown_value_is_refused_with_the_variable_and_the_accepted_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => FusedEngine.UseFast(FusedEngine.PrefillChoice, "persistent", Fits, TextWriter.Null));
        Assert.Contains("GPTBENCH_FUSED_PREFILL must be 'kernels' or 'torch', got 'persistent'", error.Message);
        error = Assert.Throws<ArgumentException>(() => FusedEngine.UseFast(FusedEngine.PrefillLaunchChoice, "fast", Fits, TextWriter.Null));
        Assert.Equal("GPTBENCH_PREFILL_LAUNCH must be 'persistent' or 'launches', got 'fast'", error.Message);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("launches", false)]
    [InlineData("persistent", true)]
    public void The_persistent_prefill_not_measured_faster_runs_only_where_the_environment_asks(string? forced, bool persistent)
    {
        var log = new StringWriter();
        Func<(bool, string)> never = () => throw new InvalidOperationException("must not be asked");
        Assert.Equal(persistent, FusedEngine.UseFast(FusedEngine.PrefillLaunchChoice, forced, never, log));
        Assert.Equal("", log.ToString());
    }

    [Theory]
    [InlineData(true, null, 1024, 128, 128)]       // by default ours up to 128 tokens, TorchSharp's above
    [InlineData(true, null, 1024, 64, 64)]         // a wider model's bound (PrefillKernels.LongestFaster): gpt2-large's 64
    [InlineData(true, "", 64, 128, 64)]            // a context shorter than that: every prompt
    [InlineData(true, "kernels", 1024, 64, 1024)]  // forced: every prompt
    [InlineData(false, "torch", 1024, 128, 0)]     // forced off, or not fitting: none
    [InlineData(false, null, 1024, 0, 0)]
    public void The_prefill_kernels_take_prompts_up_to_a_length(bool ours, string? forced, int positions, int longestFaster, int upTo) =>
        Assert.Equal(upTo, FusedEngine.PrefillKernelsUpTo(ours, forced, positions, longestFaster));
}
