using GptBench.CommandLine;
using GptBench.GpuWorker.Kernels.Checks;
using GptBench.GpuWorker.Model;

namespace GptBench.GpuWorker.Tests.Kernels.Checks;

/// <summary>check-kernels' arguments: what runs by default, how a run is narrowed, and names it refuses.</summary>
public class KernelCheckOptionsTests
{
    [Fact]
    public void By_default_every_group_weight_type_and_layer_kernel_of_gpt2_runs()
    {
        var o = KernelCheckOptions.Parse([]);
        Assert.Equal(Presets.All["gpt2"], o.Model);
        Assert.All(KernelCheckOptions.AllGroups, g => Assert.True(o.Wanted(g), g));
        Assert.Equal([false, true], o.Int8);
        Assert.Equal([true, false], o.PersistentLayers);
    }

    [Fact]
    public void A_model_groups_a_weight_type_and_a_layer_kernel_narrow_the_run()
    {
        var o = KernelCheckOptions.Parse(["gpt2-medium", "step", "prefill", "--dtype", "int8", "--layers=persistent"]);
        Assert.Equal(Presets.All["gpt2-medium"], o.Model);
        Assert.Equal(["prefill", "step"], o.Groups.Order());
        Assert.False(o.Wanted("gemv"));
        Assert.Equal([true], o.Int8);
        Assert.Equal([true], o.PersistentLayers);
    }

    [Fact]
    public void Groups_may_come_without_a_model()
    {
        var o = KernelCheckOptions.Parse(["step", "--dtype", "bf16", "--layers", "per-kernel"]);
        Assert.Equal(Presets.All["gpt2"], o.Model);
        Assert.Equal(["step"], o.Groups);
        Assert.Equal([false], o.Int8);
        Assert.Equal([false], o.PersistentLayers);
    }

    [Theory]
    [InlineData(new[] { "gpt3" }, "'gpt3' is neither a model (gpt2, gpt2-large, gpt2-medium, tiny) nor a group (gemv, attention, sampling, step, prefill, ttft)")]
    [InlineData(new[] { "gpt2", "steps" }, "unknown group 'steps' (expected gemv, attention, sampling, step, prefill, ttft)")]
    [InlineData(new[] { "--dtype", "fp8" }, "--dtype must be bf16 or int8, got 'fp8'")]
    [InlineData(new[] { "--layers", "fused" }, "--layers must be persistent or per-kernel, got 'fused'")]
    [InlineData(new[] { "--positions", "128" }, "unknown option --positions (expected one of: --dtype, --layers)")]
    public void Names_it_does_not_know_are_refused_with_what_it_takes(string[] args, string message) =>
        Assert.Equal(message, Assert.Throws<UsageException>(() => KernelCheckOptions.Parse(args)).Message);

    [Fact]
    public void Bad_arguments_exit_2_with_the_usage_before_any_GPU_work()
    {
        var log = new StringWriter();
        Assert.Equal(2, KernelChecks.Run(["gpt2", "stpe"], TextWriter.Null, log));
        Assert.Contains("check-kernels: unknown group 'stpe'", log.ToString());
        Assert.Contains("usage: check-kernels [MODEL]", log.ToString());
    }

    [Fact]
    public void Help_prints_the_usage()
    {
        var output = new StringWriter();
        Assert.Equal(0, KernelChecks.Run(["--help"], output, TextWriter.Null));
        Assert.StartsWith("usage: check-kernels", output.ToString());
    }
}
