using System.Runtime.InteropServices;
using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Model;
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

    struct Pair { public int A; public long B; } // 16 bytes: B is 8-byte aligned

    [Fact]
    public unsafe void Struct_arguments_are_copied_whole_and_every_value_starts_8_byte_aligned()
    {
        using var args = new KernelArgs().Int(3).Struct(new Pair { A = -1, B = long.MaxValue }).Float(2.5f);
        var pointers = args.Build();
        Assert.Equal(3, *(int*)pointers[0]);
        var pair = *(Pair*)pointers[1];
        Assert.Equal((-1, long.MaxValue), (pair.A, pair.B));
        Assert.Equal(2.5f, *(float*)pointers[2]);
        Assert.All(new[] { 0, 1, 2 }, i => Assert.Equal(0, (long)pointers[i] % 8));
        Assert.Equal(8, (long)pointers[1] - (long)pointers[0]);   // the int takes one 8-byte slot
        Assert.Equal(16, (long)pointers[2] - (long)pointers[1]);  // the struct its own 16 bytes
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
        foreach (var file in new[] { "common.cuh", "gemv.cu", "attention.cu", "embed.cu", "sampling.cu", "layers.cu", "prefill.cu", "attention.cuh" })
            Assert.True(File.Exists(Path.Combine(KernelFolder, file)), $"{file} is missing from {KernelFolder}");
        Assert.Contains("sample_token(", Source("sampling.cu"));
    }

    [Theory]
    [InlineData("gemv_ln_bias", 2304, 768, 8, "gemv_ln_bias_4", 144u, 512u)]         // gpt2 QKV: 96 vectors a row, 3 a lane; 16 rows a block
    [InlineData("gemv_bias_residual", 768, 768, 8, "gemv_bias_residual_4", 128u, 192u)] // 6 rows a block: one block per SM
    [InlineData("gemv_bias_residual", 768, 3072, 8, "gemv_bias_residual_12", 128u, 192u)] // gpt2 MLP down: 12 a lane
    [InlineData("gemv_bias_residual", 1280, 5120, 8, "gemv_bias_residual_24", 128u, 320u)] // gpt2-large MLP down: 20 a lane
    [InlineData("gemv_ln_bias", 2304, 768, 16, "gemv_ln_bias_2", 144u, 512u)]        // int8: 48 vectors a row
    [InlineData("gemv_bias_residual", 768, 8192, 8, "gemv_bias_residual_24", 128u, 192u)] // more than any look-ahead: the largest, looping
    [InlineData("gemv_ln_bias", 256, 768, 8, "gemv_ln_bias_4", 64u, 128u)]           // small: at least 4 warps a block
    [InlineData("gemv_ln", 50257, 768, 8, "gemv_ln_4", 1571u, 256u)]                 // the lm_head: 32 rows a block
    public void Gemv_launch_takes_the_smallest_look_ahead_and_about_one_block_per_SM(string kernel, int n, int k, int vectorElements, string name, uint blocks, uint threads)
    {
        var launch = GemvKernel.Shape(kernel, n, k, vectorElements, multiprocessors: 132);
        Assert.Equal(name, launch.Name);
        Assert.Equal((blocks, 1u, 1u), launch.Grid);
        Assert.Equal(threads, launch.Threads);
        Assert.Equal((uint)(4 * k * (kernel.StartsWith("gemv_ln") ? 3 : 1)), launch.SharedBytes);
    }

    [Fact]
    public void Gemv_launch_refuses_inputs_larger_than_shared_memory()
    {
        var error = Assert.Throws<ArgumentException>(() => GemvKernel.Shape("gemv_ln_bias", 15360, 5120, 8, 132));
        Assert.Contains("49152 bytes", error.Message);
        Assert.Contains("needs 61440", error.Message);
    }

    [Theory]
    [InlineData(null, 52428800L, 17476266L)]      // unset: a third of the H100's 50 MiB
    [InlineData("", 52428800L, 17476266L)]        // empty, as unset (as every other setting)
    [InlineData("0", 52428800L, 0L)]              // none kept
    [InlineData("16777216", 52428800L, 16777216L)]
    public void Lm_head_L2_share_is_a_third_of_L2_unless_set(string? setting, long l2, long expected) =>
        Assert.Equal(expected, GemvKernel.LmHeadL2Request(setting, l2));

    [Theory]
    [InlineData("-1")]
    [InlineData("16MB")]
    [InlineData("1.5")]
    public void Lm_head_L2_share_refuses_what_is_not_a_byte_count(string setting)
    {
        var error = Assert.Throws<ArgumentException>(() => GemvKernel.LmHeadL2Request(setting, 52428800L));
        Assert.Contains("GPTBENCH_LM_HEAD_L2_BYTES", error.Message);
        Assert.Contains($"'{setting}'", error.Message);
    }

    [Theory]
    [InlineData(null, true)] // programmatic dependent launch, the default
    [InlineData("", true)]
    [InlineData("1", true)]
    [InlineData("0", false)] // each launch waits for the previous one's end
    public void Kernel_overlap_is_on_unless_set_to_0(string? value, bool overlap) =>
        Assert.Equal(overlap, CudaDriver.OverlapFrom(value));

    [Theory]
    [InlineData("off")]
    [InlineData("false")]
    [InlineData("2")]
    public void Kernel_overlap_refuses_anything_but_0_and_1_by_name(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => CudaDriver.OverlapFrom(value));
        Assert.Contains(CudaDriver.OverlapVariable, error.Message);
        Assert.Contains($"'{value}'", error.Message);
    }

    [Fact]
    public void Lm_head_window_marks_the_share_the_set_aside_L2_holds()
    {
        var weights = new IntPtr(0x7000_0000);
        const long bf16 = 50257L * 768 * 2, int8 = 50257L * 768;
        var window = GemvKernel.LmHeadWindow(weights, bf16, 16 << 20, maxWindowBytes: 128 << 20)!.Value;
        Assert.Equal((weights, bf16), (window.Base, window.Bytes));
        Assert.Equal((float)(16.0 * (1 << 20) / bf16), window.HitRatio, 6);
        // A window shorter than the matrix covers its first bytes; a share larger than the window marks all of it.
        Assert.Equal(8L << 20, GemvKernel.LmHeadWindow(weights, bf16, 16 << 20, maxWindowBytes: 8 << 20)!.Value.Bytes);
        Assert.Equal(1f, GemvKernel.LmHeadWindow(weights, int8, 64L << 20, maxWindowBytes: 128 << 20)!.Value.HitRatio);
        Assert.Null(GemvKernel.LmHeadWindow(weights, bf16, 0, maxWindowBytes: 128 << 20));
    }

    [Fact]
    public void Launch_attribute_lays_out_the_access_policy_window_as_cuda_h_does()
    {
        // CUlaunchAttribute: id, padding, then the value union at 8; CUaccessPolicyWindow: base_ptr, num_bytes,
        // hitRatio, hitProp, missProp.
        static long At(string field) => (long)Marshal.OffsetOf<CudaDriver.LaunchAttribute>(field);
        Assert.Equal(72, Marshal.SizeOf<CudaDriver.LaunchAttribute>());
        Assert.Equal((0L, 8L, 8L, 16L, 24L, 28L, 32L), (At("Id"), At("Value"), At("WindowBase"), At("WindowBytes"),
            At("HitRatio"), At("HitProperty"), At("MissProperty")));
    }

    [Fact]
    public void Every_entry_point_the_host_can_pick_is_instantiated_in_the_source()
    {
        var gemv = Source("gemv.cu");
        foreach (var v in GemvKernel.VectorsPerLane)
            Assert.Contains($"GEMV_ENTRY(NAME, LN, EPI, 1, {v}, 512)", gemv);
        foreach (var v in GemvKernel.LmHeadVectorsPerLane)
            Assert.Contains($"GEMV_ENTRY(gemv_ln, true, EPI_NONE, 4, {v}, 256)", gemv);
        foreach (var name in new[] { "gemv_ln_bias", "gemv_ln_bias_gelu", "gemv_bias_residual" })
            Assert.Contains($"GEMV_SIZES({name},", gemv);
        foreach (var preset in new[] { "gpt2", "gpt2-medium", "gpt2-large" })
        {
            var config = Presets.All[preset];
            Assert.Equal($"attention_decode_{config.HeadDim}", AttentionKernel.EntryPoint(config));
            Assert.Contains($"ATTENTION_ENTRY({config.HeadDim})", Source("attention.cu"));
            Assert.Contains($"LAYERS_ENTRY({config.HeadDim})", Source("layers.cu"));
        }
    }

    [Fact]
    public void Attention_refuses_a_head_size_it_has_no_kernel_for()
    {
        var odd = Presets.All["gpt2"] with { NEmbd = 576 }; // 12 heads of 48
        var error = Assert.Throws<ArgumentException>(() => AttentionKernel.EntryPoint(odd));
        Assert.Contains("head sizes 32, 64, 128", error.Message);
        Assert.Contains("48", error.Message);
    }

    static string KernelFolder => Path.Combine(AppContext.BaseDirectory, "Kernels");

    static string Source(string file) => File.ReadAllText(Path.Combine(KernelFolder, file));
}
