using System.Security.Cryptography;
using GptBench.GpuWorker.Native;
using TorchSharp;

namespace GptBench.GpuWorker.Tests.Native;

public class TorchRuntimeTests
{
    static string PackagedLibTorchSharp => Path.Combine(TorchRuntime.PackagedNativeFolder, "libLibTorchSharp.so");

    [Fact]
    public void Patch_marks_exactly_one_entry_weak_on_a_copy_and_leaves_the_original_alone()
    {
        var before = SHA256.HashData(File.ReadAllBytes(PackagedLibTorchSharp));
        var copy = File.ReadAllBytes(PackagedLibTorchSharp);

        Assert.Equal(1, ElfVersionPatch.MarkVersionNeededWeak(copy, "GLIBCXX_3.4.32"));

        var original = File.ReadAllBytes(PackagedLibTorchSharp);
        Assert.Equal(before, SHA256.HashData(original));
        var changed = Enumerable.Range(0, copy.Length).Where(i => copy[i] != original[i]).ToList();
        Assert.Single(changed);
        Assert.Equal(0x2, (copy[changed[0]] ^ original[changed[0]]) & 0xff);
    }

    [Fact]
    public void Patch_finds_nothing_for_a_version_the_library_does_not_need()
    {
        var copy = File.ReadAllBytes(PackagedLibTorchSharp);
        Assert.Equal(0, ElfVersionPatch.MarkVersionNeededWeak(copy, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void Patch_rejects_files_that_are_not_elf64()
    {
        var notElf = new byte[128];
        Assert.Contains("not an ELF", Assert.Throws<InvalidDataException>(() => ElfVersionPatch.MarkVersionNeededWeak(notElf, "X")).Message);
        var elf32 = File.ReadAllBytes(PackagedLibTorchSharp)[..128];
        elf32[4] = 1;
        Assert.Contains("64-bit", Assert.Throws<InvalidDataException>(() => ElfVersionPatch.MarkVersionNeededWeak(elf32, "X")).Message);
    }

    [Fact]
    public void Initialize_makes_TorchSharp_usable_and_is_idempotent()
    {
        var first = TorchRuntime.Initialize();
        Assert.Same(first, TorchRuntime.Initialize());

        using var a = torch.ones(2, 3);
        using var b = torch.ones(3, 4);
        using var product = a.matmul(b);
        Assert.Equal(3f, product[1, 2].item<float>());

        using var q = torch.randn(1, 2, 5, 8);
        using var attention = torch.nn.functional.scaled_dot_product_attention(q, q, q, is_casual: true);
        Assert.Equal(new long[] { 1, 2, 5, 8 }, attention.shape);
    }

    [Fact]
    public void Initialize_is_safe_from_many_threads_at_once()
    {
        var results = new TorchLibrary[8];
        Parallel.For(0, results.Length, i => results[i] = TorchRuntime.Initialize());
        Assert.All(results, r => Assert.Same(results[0], r));
    }
}
