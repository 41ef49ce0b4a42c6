using GptBench.GpuWorker.Checkpoints;
using GptBench.GpuWorker.Native;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Golden;

public class GoldenCheckCommandTests
{
    static readonly string TinyDir = Path.Combine(AppContext.BaseDirectory, "Golden", "tiny");

    static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        return (GoldenCheckCommand.Run(args, output), output.ToString());
    }

    [Fact]
    public void Committed_tiny_checkpoint_passes_with_both_cpu_engines()
    {
        var (code, output) = Run(TinyDir, "--dtype", "fp32", "--device", "cpu");
        Assert.True(code == 0, output);
        Assert.Contains("all 12 checks pass", output); // 4 cases, then 4 per engine (eager, static)
    }

    [Fact]
    public void A_checkpoint_that_is_slightly_off_fails_with_exit_1()
    {
        TorchRuntime.Initialize();
        using var folder = new TempFolder();
        foreach (var file in Directory.GetFiles(TinyDir))
            File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        var weightsPath = Path.Combine(folder.Path, HfCheckpoint.WeightsFile);
        Dictionary<string, Tensor> weights;
        using (var original = SafetensorsFile.Open(weightsPath))
            weights = original.Entries.Keys.ToDictionary(name => name, original.ReadTensor);
        weights[weights.Keys.Single(name => name.EndsWith("ln_f.bias"))].add_(1e-2);
        SafetensorsWriter.Write(weightsPath, weights);

        var (code, output) = Run(folder.Path);

        Assert.True(code == 1, output);
        Assert.Contains("FAIL", output);
    }

    [Fact]
    public void Missing_folder_or_arguments_exit_2()
    {
        Assert.Equal(2, Run().Code);
        Assert.Equal(2, Run("/no/such/folder").Code);
        Assert.Equal(2, Run(TinyDir, "--dtype").Code);
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, GoldenFile.FileName), "{}");
        Assert.Equal(2, Run(folder.Path).Code);
    }
}
