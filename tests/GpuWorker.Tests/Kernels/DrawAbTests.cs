namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>scripts/draw-ab, the draw probes' measurement on the GPU machine: here only what it does before any GPU work.</summary>
public sealed class DrawAbTests
{
    [Fact]
    public void Without_its_three_variants_it_prints_its_usage_and_runs_nothing()
    {
        var (exit, output, error) = Scripts.Run("bash", "draw-ab", "held=.variants/held/sampling.cu");
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("scripts/draw-ab VARIANT BASE_STAMPED VARIANT_STAMPED", error);
    }
}
