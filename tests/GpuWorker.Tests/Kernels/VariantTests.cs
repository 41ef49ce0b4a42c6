namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>
/// scripts/variant, which builds a gpu-ab variant from patches in a temporary worktree of HEAD: the kernel sources a
/// patch changes or adds land in the variant's folder, this working tree stays as it was, and bad arguments are refused.
/// (A patch of host code also builds GpuWorker.dll; that takes a build, so it is not run here.)
/// </summary>
public sealed class VariantTests : IDisposable
{
    readonly TempFolder temp = new();
    string dir => temp.Path;

    const string Kernel = "src/GpuWorker/Kernels/embed.cu";

    static (int Exit, string Output, string Error) Run(params string[] args) => Scripts.Run("bash", "variant", args);

    /// <summary>A patch that puts <paramref name="line"/> above the kernel's first line, as HEAD has it.</summary>
    string Patch(string line)
    {
        var first = File.ReadLines(Path.Combine(Repository.Root, Kernel)).First();
        var path = Path.Combine(dir, "change.patch");
        File.WriteAllText(path, $"--- a/{Kernel}\n+++ b/{Kernel}\n@@ -1,1 +1,2 @@\n+{line}\n {first}\n");
        return path;
    }

    [Fact]
    public void A_kernel_patch_lands_in_the_variants_folder_and_the_working_tree_is_untouched()
    {
        var before = File.ReadAllText(Path.Combine(Repository.Root, Kernel));
        var (exit, output, error) = Run("--out", dir, "try", Patch("// a variant's change"));
        Assert.True(exit == 0, error);
        var copy = Path.Combine(dir, "try", "embed.cu");
        Assert.Equal($"try={copy}", output.Trim());
        Assert.Equal("// a variant's change\n" + before, File.ReadAllText(copy));
        Assert.Equal(before, File.ReadAllText(Path.Combine(Repository.Root, Kernel)));
    }

    [Fact]
    public void A_kernel_file_the_patch_adds_lands_there_too()
    {
        var patch = Path.Combine(dir, "new.patch");
        File.WriteAllText(patch, "--- /dev/null\n+++ b/src/GpuWorker/Kernels/probe.cu\n@@ -0,0 +1 @@\n+// a new kernel\n");
        var (exit, output, error) = Run("--out", dir, "try", patch);
        Assert.True(exit == 0, error);
        var copy = Path.Combine(dir, "try", "probe.cu");
        Assert.Equal($"try={copy}", output.Trim());
        Assert.Equal("// a new kernel\n", File.ReadAllText(copy));
        Assert.False(File.Exists(Path.Combine(Repository.Root, "src/GpuWorker/Kernels/probe.cu")));
    }

    [Fact]
    public void A_patch_that_does_not_apply_is_refused_and_says_which()
    {
        var patch = Path.Combine(dir, "stale.patch");
        File.WriteAllText(patch, $"--- a/{Kernel}\n+++ b/{Kernel}\n@@ -1,1 +1,2 @@\n+// new\n no such line in the kernel\n");
        var (exit, _, error) = Run("--out", dir, "try", patch);
        Assert.Equal(1, exit);
        Assert.Contains($"{patch} does not apply to HEAD", error);
        Assert.False(Directory.Exists(Path.Combine(dir, "try")));
    }

    [Theory]
    [InlineData("bad/name", "the name 'bad/name' must be letters, digits, . _ -")]
    [InlineData("try", "no patch /no/such.patch")]
    public void Bad_arguments_are_refused(string name, string message)
    {
        var (exit, _, error) = Run("--out", dir, name, "/no/such.patch");
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }

    public void Dispose() => temp.Dispose();
}
