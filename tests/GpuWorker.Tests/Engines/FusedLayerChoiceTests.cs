using GptBench.GpuWorker.Engines;

namespace GptBench.GpuWorker.Tests.Engines;

/// <summary>How the fused engine chooses between the persistent layer kernel and five launches a layer.</summary>
public class FusedLayerChoiceTests
{
    static (bool Fits, string Reason) Fits() => (true, "");
    static (bool Fits, string Reason) DoesNotFit() => (false, "needs three weight buffers of 99840 bytes");

    [Fact]
    public void By_default_the_persistent_kernel_runs_where_it_fits_and_the_engine_says_when_it_does_not()
    {
        var log = new StringWriter();
        Assert.True(FusedEngine.UsePersistentLayers(null, Fits, log));
        Assert.Equal("", log.ToString());
        Assert.False(FusedEngine.UsePersistentLayers("", DoesNotFit, log));
        Assert.Contains("fused: five launches a layer (needs three weight buffers of 99840 bytes)", log.ToString());
    }

    [Fact]
    public void The_environment_forces_either_without_asking_whether_the_kernel_fits()
    {
        Func<(bool, string)> never = () => throw new InvalidOperationException("must not be asked");
        Assert.True(FusedEngine.UsePersistentLayers("persistent", never, TextWriter.Null));
        Assert.False(FusedEngine.UsePersistentLayers("per-kernel", never, TextWriter.Null));
    }

    [Fact]
    public void An_unknown_value_is_refused_with_the_accepted_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => FusedEngine.UsePersistentLayers("fast", Fits, TextWriter.Null));
        Assert.Contains("'persistent' or 'per-kernel', got 'fast'", error.Message);
    }
}
