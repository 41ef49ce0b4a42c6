using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>The persistent layer kernel's launch plan (LayerKernel.PlanFor) and LayerNorm folding, on the CPU.</summary>
public class LayerKernelTests
{
    public LayerKernelTests() => TorchRuntime.Initialize();

    [Fact]
    public void Gpt2_on_an_H100_gets_a_block_per_SM_three_weight_buffers_and_eleven_slices_a_head()
    {
        var plan = LayerKernel.PlanFor(Presets.All["gpt2"], weightElementBytes: 2, multiprocessors: 132, H100.SharedBytesPerBlock);
        Assert.Equal(132u, plan.Blocks);
        Assert.Equal(11, plan.MaxSlices);                // 132 SMs / 12 heads
        Assert.Equal(24 * 768 * 2, plan.BufferBytes);    // MLP up's 3072 rows over 132 SMs: 24 rows of 768 bf16
        Assert.Equal(3, plan.WeightBuffers);
        Assert.Empty(plan.Defines);
        // Three buffers, then the layer's input kept for the MLP phase and the residual vector, in fp32.
        Assert.Equal(3 * 24 * 768 * 2 + 2 * 4 * 768, plan.DynamicSharedBytes);
    }

    [Fact]
    public void Int8_weights_halve_the_buffers()
    {
        var bf16 = LayerKernel.PlanFor(Presets.All["gpt2-medium"], 2, 132, H100.SharedBytesPerBlock);
        var int8 = LayerKernel.PlanFor(Presets.All["gpt2-medium"], 1, 132, H100.SharedBytesPerBlock);
        Assert.Equal(bf16.BufferBytes, 2 * int8.BufferBytes);
    }

    [Fact]
    public void A_model_whose_three_buffers_do_not_fit_gets_two()
    {
        // gpt2-large in bf16: 39 MLP rows of 1280 x 2 bytes a buffer; three exceed 227 KiB, two fit. In int8 three fit.
        var bf16 = LayerKernel.PlanFor(Presets.All["gpt2-large"], 2, 132, H100.SharedBytesPerBlock);
        Assert.Equal((39 * 1280 * 2, 2), (bf16.BufferBytes, bf16.WeightBuffers));
        Assert.Equal(["TWO_BUFFERS"], bf16.Defines);
        Assert.Equal(2 * 39 * 1280 * 2 + 2 * 4 * 1280, bf16.DynamicSharedBytes);
        var int8 = LayerKernel.PlanFor(Presets.All["gpt2-large"], 1, 132, H100.SharedBytesPerBlock);
        Assert.Equal((39 * 1280, 3), (int8.BufferBytes, int8.WeightBuffers));
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Kernels", "layers.cu"));
        Assert.Contains("#if defined(TWO_BUFFERS)", source); // the mode the define selects
    }

    [Fact]
    public void A_model_whose_two_buffers_do_not_fit_is_refused_with_the_sizes()
    {
        // gpt2-large in fp32-sized weights: two buffers of 39 x 1280 x 4 bytes exceed 227 KiB.
        var error = Assert.Throws<ArgumentException>(() => LayerKernel.PlanFor(Presets.All["gpt2-large"], 4, 132, H100.SharedBytesPerBlock));
        Assert.Contains("two weight buffers of 199680 bytes", error.Message);
    }

    [Theory]
    [InlineData("gpt2", 11)]
    [InlineData("gpt2-medium", 8)]
    [InlineData("gpt2-large", 6)]
    public void The_zeroed_workspace_holds_each_part_whole_and_16_byte_aligned(string preset, int maxSlices)
    {
        var c = Presets.All[preset];
        var layout = LayerKernel.ZeroedLayout.For(c, maxSlices);
        long[] starts = [0, layout.ProjectionAt, layout.QkvAt, layout.PartialAt];
        long[] words = [LayerKernel.ZeroedLayout.CounterWords, 3L * c.NEmbd, 2 * 3L * c.NEmbd, 2L * c.NHead * maxSlices * (c.HeadDim + 2)]; // counters, sums, published (8 bytes a value)
        long[] ends = [layout.ProjectionAt, layout.QkvAt, layout.PartialAt, layout.Words];
        for (var i = 0; i < starts.Length; i++)
        {
            Assert.Equal(0, starts[i] % 4);
            Assert.InRange(ends[i] - starts[i], words[i], words[i] + 3);
        }
    }

    [Theory]
    [InlineData(576, 12, 12, 132, "head sizes 32, 64, 128")]   // 12 heads of 48
    [InlineData(776, 12, 12, 132, "multiple of 16")]           // width 776 (heads of 64, rounding down)
    [InlineData(768, 12, 49, 132, "up to 48 layers")]
    [InlineData(768, 12, 12, 20, "at most 64 rows")]           // 3072 MLP rows over 20 SMs
    [InlineData(1600, 25, 48, 132, "at most 256 rows of a head's projection")] // gpt2-xl: 1600 rows over 5 SMs a head
    public void Shapes_the_kernel_cannot_run_are_refused_before_anything_runs(int width, int heads, int layers, int sms, string expected)
    {
        var config = Presets.All["gpt2"] with { NEmbd = width, NHead = heads, NLayer = layers };
        var error = Assert.Throws<ArgumentException>(() => LayerKernel.PlanFor(config, 2, sms, H100.SharedBytesPerBlock));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(0, 132, 12, 0, 0)]
    [InlineData(10, 132, 12, 0, 10)]  // 11 blocks a head
    [InlineData(11, 132, 12, 1, 0)]
    [InlineData(131, 132, 12, 11, 10)]
    [InlineData(8, 132, 16, 0, 8)]    // 8.25 a head: head 0 has blocks 0..8
    [InlineData(9, 132, 16, 1, 0)]
    public void A_blocks_head_group_and_index_there_are_layers_cus(int block, int blocks, int heads, int head, int index) =>
        Assert.Equal((head, index), LayerKernel.HeadGroupOf(block, blocks, heads));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_LayerNorm_folded_into_the_next_product_gives_the_product_of_the_LayerNorm(bool int8)
    {
        // A residual-like input: a few large channels, a nonzero mean; GPT-2's shapes (C = 768, QKV's 3C rows).
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        const int C = 768, rows = 3 * C;
        var x = randn([C], generator: generator).mul_(3).add_(0.5);
        x[5] = 80f;
        x[300] = -45f;
        var gain = rand([C], generator: generator).add_(0.5);
        var shift = randn([C], generator: generator).mul_(0.1);
        var weight = randn([rows, C], generator: generator).mul_(0.02);
        var bias = randn([rows], generator: generator).mul_(0.01);
        var m = FusedWeights.ToMatrix(weight, int8);

        using var fold = LayerKernel.FoldNorm(m, bias, gain, shift);

        // What the kernel computes: W times gain * x in the weight's own units, then the statistics of x.
        var mean = x.mean().item<float>();
        var rstd = 1f / MathF.Sqrt(x.sub(mean).square().mean().item<float>() + 1e-5f); // the biased variance, as LayerNorm's
        var products = m.Weight.to(ScalarType.Float32).matmul(x.mul(gain));
        var scale = m.Scale ?? ones([rows]);
        var kernel = products.sub(fold.GainSum.mul(mean)).mul(rstd).mul(scale).add(fold.Bias);
        var expected = FusedWeights.Dequantize(m).matmul(nn.functional.layer_norm(x, [C], gain, shift, 1e-5)).add(bias);
        var error = kernel.sub(expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-5f, $"folded LayerNorm off by {error:E2} of the largest output");
        Assert.True(fold.Bias.sub(bias).abs().max().item<float>() > 1e-3f, "the shift is folded into the bias");
    }

    [Fact]
    public void A_product_without_a_bias_folds_as_with_a_zero_one()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        const int C = 64, rows = 96;
        var m = FusedWeights.ToMatrix(randn([rows, C], generator: generator).mul_(0.02), false);
        var gain = rand([C], generator: generator).add_(0.5);
        var shift = randn([C], generator: generator).mul_(0.1);

        using var none = LayerKernel.FoldNorm(m, null, gain, shift);
        using var zero = LayerKernel.FoldNorm(m, zeros([rows]), gain, shift);

        Assert.True(none.Bias.eq(zero.Bias).all().item<bool>(), "the folded shift alone");
        Assert.True(none.GainSum.eq(zero.GainSum).all().item<bool>());
    }
}
