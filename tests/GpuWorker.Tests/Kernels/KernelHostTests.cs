using System.Runtime.InteropServices;
using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>
/// The host side of the fused kernels, on the CPU: the compile cache's key, the launch argument
/// block, the int8 conversion the kernels read, and the kernel sources shipped beside the engine.
/// The kernels themselves are checked against TorchSharp on the GPU (`check-kernels`).
/// </summary>
public class KernelHostTests
{
    static readonly Dictionary<string, string> Headers = new() { ["common.cuh"] = "#pragma once" };

    [Fact]
    public void Cache_key_changes_with_source_headers_options_and_compiler_and_only_then()
    {
        var key = KernelModule.Hash("src", Headers, ["-arch=sm_90"], "13.0");
        Assert.Equal(key, KernelModule.Hash("src", new Dictionary<string, string>(Headers), ["-arch=sm_90"], "13.0"));
        Assert.NotEqual(key, KernelModule.Hash("src2", Headers, ["-arch=sm_90"], "13.0"));
        Assert.NotEqual(key, KernelModule.Hash("src", new Dictionary<string, string> { ["common.cuh"] = "// changed" }, ["-arch=sm_90"], "13.0"));
        Assert.NotEqual(key, KernelModule.Hash("src", Headers, ["-arch=sm_80"], "13.0"));
        Assert.NotEqual(key, KernelModule.Hash("src", Headers, ["-arch=sm_90", "-DWEIGHTS_INT8"], "13.0"));
        Assert.NotEqual(key, KernelModule.Hash("src", Headers, ["-arch=sm_90"], "13.1"));
    }

    [Fact]
    public unsafe void Launch_arguments_point_at_their_values_in_order()
    {
        using var args = new KernelArgs().Ptr(new IntPtr(0x1234)).Int(-7).Float(0.5f).U64(ulong.MaxValue);
        var pointers = args.Build();
        Assert.Equal(new IntPtr(0x1234), *(IntPtr*)pointers[0]);
        Assert.Equal(-7, *(int*)pointers[1]);
        Assert.Equal(0.5f, *(float*)pointers[2]);
        Assert.Equal(ulong.MaxValue, *(ulong*)pointers[3]);
    }

    [Fact]
    public void Int8_rows_keep_their_largest_weight_and_stay_within_half_a_step()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        manual_seed(5);
        var weight = randn(64, 96).mul_(0.05);
        var m = FusedWeights.ToMatrix(weight, int8: true);
        Assert.Equal(ScalarType.Int8, m.Weight.dtype);
        Assert.Equal([64L], m.Scale!.shape);
        var expectedScale = weight.abs().amax([1]).div(127.0);
        Assert.True(m.Scale.allclose(expectedScale, rtol: 1e-6));
        Assert.Equal(127, m.Weight.abs().amax([1]).to(ScalarType.Int32).min().item<int>());
        var error = FusedWeights.Dequantize(m).sub(weight).abs();
        Assert.True(error.le(m.Scale.unsqueeze(1).mul(0.5001)).all().item<bool>());
    }

    [Fact]
    public void Bf16_matrices_are_copies_in_the_kernel_layout()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var weight = randn(8, 16).to(ScalarType.BFloat16);
        var m = FusedWeights.ToMatrix(weight, int8: false);
        Assert.Null(m.Scale);
        Assert.True(m.Weight.is_contiguous());
        Assert.True(m.Weight.eq(weight).all().item<bool>());
        m.Weight.add_(1); // a copy: the model's own weight must not change
        Assert.False(m.Weight.eq(weight).all().item<bool>());
    }

    [Fact]
    public void Every_kernel_source_ships_beside_the_engine()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Kernels");
        foreach (var file in new[] { "common.cuh", "gemv.cu", "attention.cu", "embed.cu", "sampling.cu" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} is missing from {folder}");
        // Each kernel file names its entry points extern "C", which the host looks up by name.
        Assert.Contains("extern \"C\" __global__ void __launch_bounds__(MAX_THREADS) gemv_ln_bias(", File.ReadAllText(Path.Combine(folder, "gemv.cu")));
        Assert.Contains("sample_token(", File.ReadAllText(Path.Combine(folder, "sampling.cu")));
    }
}
