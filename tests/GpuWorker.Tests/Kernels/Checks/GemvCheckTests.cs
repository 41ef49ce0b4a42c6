using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Kernels.Checks;
using GptBench.GpuWorker.Native;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Kernels.Checks;

/// <summary>The gemv check's comparison of the lm_head's block keys with its logits, on the CPU.</summary>
public class GemvCheckTests
{
    public GemvCheckTests() => TorchRuntime.Initialize();

    // 70 logits: two whole blocks of 32 rows and a last one of 6.
    static float[] Logits() => Enumerable.Range(0, 70).Select(i => (float)Math.Sin(i * 0.7)).ToArray();

    static long[] KeysOf(float[] y) => TokenSampler.BlockKeys(y, 32).Select(k => (long)k).ToArray();

    [Fact]
    public void Keys_that_are_each_blocks_best_logits_pass()
    {
        var y = Logits();
        Assert.Equal(0, GemvCheck.BlockKeysDiffering(tensor(y), tensor(KeysOf(y))));
    }

    [Fact]
    public void A_key_of_another_row_or_a_block_left_unwritten_is_counted()
    {
        var y = Logits();
        var keys = KeysOf(y);
        keys[1] = (long)TokenSampler.Key(y[40], 40); // block 0's second key: a row of another block
        keys[5] = -1;                                 // block 1's third: the poison, never written
        Assert.Equal(2, GemvCheck.BlockKeysDiffering(tensor(y), tensor(keys)));
    }

    [Fact]
    public void Keys_missing_at_the_end_are_counted()
    {
        var y = Logits();
        Assert.Equal(3, GemvCheck.BlockKeysDiffering(tensor(y), tensor(KeysOf(y)[..^3])));
    }
}
