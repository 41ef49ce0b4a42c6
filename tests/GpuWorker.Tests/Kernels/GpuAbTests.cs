namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>
/// scripts/gpu-ab, the same-call A/B of kernel variants on a GPU machine, through its --dry-run: which files each
/// variant puts where in the unpacked app, which settings go into its environment, the alternation of rounds, and the
/// arguments it refuses.
/// </summary>
public sealed class GpuAbTests : IDisposable
{
    readonly TempFolder temp = new();
    string dir => temp.Path;

    public GpuAbTests()
    {
        File.WriteAllText(Path.Combine(dir, "layers.cu"), "// a variant");
        File.WriteAllText(Path.Combine(dir, "GpuWorker.dll"), "not really an assembly");
    }

    static (int Exit, string Output, string Error) Run(params string[] args) => Scripts.Run("bash", "gpu-ab", ["--dry-run", .. args]);

    [Fact]
    public void Kernel_sources_go_into_Kernels_assemblies_beside_the_app_and_variants_alternate_by_round()
    {
        var layers = Path.Combine(dir, "layers.cu");
        var assembly = Path.Combine(dir, "GpuWorker.dll");
        var (exit, output, error) = Run("--rounds", "2", "base", $"try={layers},{assembly}", "--", "check-kernels", "gpt2", "step");
        Assert.True(exit == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal($"try: {layers} -> Kernels/layers.cu", lines[0]);
        Assert.Equal($"try: {assembly} -> GpuWorker.dll", lines[1]);
        Assert.Equal(["=== base 1", "=== try 1", "=== base 2", "=== try 2"], lines.Where(line => line.StartsWith("===")));
        // The bundle as built runs from the default TMPDIR, a variant from its own.
        Assert.Matches(@"^TMPDIR=\S+ scripts/gpu-run check-kernels gpt2 step$", lines[3]);
        Assert.EndsWith("/gpu-ab/try scripts/gpu-run check-kernels gpt2 step", lines[5]);
    }

    [Fact]
    public void A_setting_goes_into_the_variants_environment_and_needs_no_copy_of_the_app()
    {
        var layers = Path.Combine(dir, "layers.cu");
        var (exit, output, error) = Run("--rounds", "1", "base", "one=GPTBENCH_STEPS_PER_GRAPH=1",
            $"both={layers},DOTNET_TieredCompilation=0", "--", "run", "experiments/fused.yaml");
        Assert.True(exit == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("one: GPTBENCH_STEPS_PER_GRAPH=1 (environment)", lines[0]);
        Assert.Equal($"both: {layers} -> Kernels/layers.cu", lines[1]);
        Assert.Equal("both: DOTNET_TieredCompilation=0 (environment)", lines[2]);
        var runs = lines.Where(line => line.Contains("scripts/gpu-run")).ToArray();
        Assert.Matches(@"^TMPDIR=(\S+) scripts/gpu-run run experiments/fused.yaml$", runs[0]);
        // Settings alone run the bundle as built, from the same TMPDIR as the base; files get their own.
        var baseTmp = runs[0].Split(' ')[0];
        Assert.Equal($"GPTBENCH_STEPS_PER_GRAPH=1 {baseTmp} scripts/gpu-run run experiments/fused.yaml", runs[1]);
        Assert.StartsWith("DOTNET_TieredCompilation=0 TMPDIR=", runs[2]);
        Assert.EndsWith("/gpu-ab/both scripts/gpu-run run experiments/fused.yaml", runs[2]);
    }

    [Theory]
    [InlineData("no file", "base", "try=MISSING/layers.cu", "--", "check-kernels")]
    [InlineData("no file", "base", "try=1st=1", "--", "check-kernels")] // a setting's name starts with a letter or _
    [InlineData("is named twice", "base", "base", "--", "check-kernels")]
    [InlineData("--rounds takes a positive whole number", "--rounds", "0", "base", "--", "check-kernels")]
    [InlineData("must be letters, digits", "b@se", "--", "check-kernels")]
    public void Bad_arguments_are_refused_with_exit_code_2_before_anything_runs(string expected, params string[] args)
    {
        var (exit, output, error) = Run(args.Select(a => a.Replace("MISSING", dir + "/missing")).ToArray());
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("===", output);
    }

    public void Dispose() => temp.Dispose();
}
