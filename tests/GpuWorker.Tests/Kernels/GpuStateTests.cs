namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>scripts/gpu-state, which samples the GPU's clocks and temperature beside a sweep: the command it wraps runs as given.</summary>
public sealed class GpuStateTests : IDisposable
{
    readonly TempFolder temp = new();
    string dir => temp.Path;

    [Fact]
    public void The_command_runs_and_its_exit_status_and_output_are_passed_on()
    {
        var csv = Path.Combine(dir, "state.csv");
        var (exit, output, _) = Scripts.Run("bash", "gpu-state", csv, "--", "bash", "-c", "echo swept; exit 3");
        Assert.Equal(3, exit);
        Assert.Equal("swept\n", output);
        Assert.True(File.Exists(csv)); // the samples (here, without nvidia-smi, at most its error)
    }

    [Fact]
    public void Without_a_command_it_prints_its_usage()
    {
        var (exit, _, error) = Scripts.Run("bash", "gpu-state", Path.Combine(dir, "state.csv"));
        Assert.Equal(2, exit);
        Assert.Contains("scripts/gpu-state FILE -- COMMAND...", error);
    }

    public void Dispose() => temp.Dispose();
}
