using System.Text.RegularExpressions;
using GptBench.GpuWorker.Kernels;

namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>
/// The host's copies of the kernels' sizes against the kernel sources' own #defines: a buffer the host sizes by one and
/// a kernel indexes by the other would otherwise disagree silently, on the GPU only.
/// </summary>
public partial class KernelDefinesTests
{
    [GeneratedRegex(@"^#define ([A-Z_]+) (\d+)\b", RegexOptions.Multiline)]
    private static partial Regex Define();

    static Dictionary<string, int> Defines(params string[] files)
    {
        var found = new Dictionary<string, int>();
        foreach (var file in files)
            foreach (Match m in Define().Matches(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Kernels", file))))
                found[m.Groups[1].Value] = int.Parse(m.Groups[2].Value);
        return found;
    }

    static void AssertMirrored(IReadOnlyDictionary<string, int> host, Dictionary<string, int> kernel)
    {
        foreach (var (name, value) in host)
        {
            Assert.True(kernel.ContainsKey(name), $"no #define {name} in the kernel source");
            Assert.True(kernel[name] == value, $"{name}: the host says {value}, the kernel {kernel[name]}");
        }
    }

    [Fact]
    public void The_layer_kernels_host_sizes_match_layers_cu_and_common_cuh()
    {
        var kernel = Defines("layers.cu", "common.cuh");
        AssertMirrored(LayerKernel.KernelDefines, kernel);
        Assert.Equal(LayerKernel.TraceStampsPerLayer, kernel["PHASES"] * kernel["EVENTS"]);
    }

    [Fact]
    public void The_prefills_host_sizes_match_prefill_cu() => AssertMirrored(PrefillKernels.KernelDefines, Defines("prefill.cu"));

    [Fact]
    public void The_samplers_host_sizes_match_sampling_cu_and_common_cuh()
    {
        var kernel = Defines("sampling.cu", "common.cuh");
        AssertMirrored(TokenSampler.KernelDefines, kernel);
        Assert.True(TokenSampler.MaxChunk <= kernel["MAX_STAGED"], "a block's chunk of logits must fit its staged keys");
    }

    [Fact]
    public void A_mismatch_is_reported_with_both_values()
    {
        var error = Assert.Throws<Xunit.Sdk.TrueException>(() => AssertMirrored(new Dictionary<string, int> { ["THREADS"] = 1 }, Defines("layers.cu")));
        Assert.Contains("THREADS: the host says 1, the kernel 512", error.Message);
    }
}
