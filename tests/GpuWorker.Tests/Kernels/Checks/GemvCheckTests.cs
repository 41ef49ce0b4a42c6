using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Kernels.Checks;
using GptBench.GpuWorker.Native;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Kernels.Checks;

/// <summary>The gemv check's comparison of the lm_head's block keys with its logits, on the CPU.</summary>
public class GemvCheckTests
{
    public GemvCheckTests() => TorchRuntime.Initialize();

    // 70 logits: two whole blocks of 32 rows and a last one of 6, with a tie in the first block.
    static float[] Logits()
    {
        var y = Enumerable.Range(0, 70).Select(i => (float)Math.Sin(i * 0.7)).ToArray();
        y[3] = y[17] = 5f;
        return y;
    }

    static long[] KeysOf(float[] y) => Enumerable.Range(0, (y.Length + 31) / 32)
        .Select(b => (long)Enumerable.Range(32 * b, Math.Min(32, y.Length - 32 * b)).Max(row => TokenSampler.Key(y[row], row)))
        .ToArray();

    [Fact]
    public void Keys_that_are_each_blocks_best_logit_with_ties_to_the_smaller_row_pass()
    {
        var y = Logits();
        var keys = KeysOf(y);
        Assert.Equal(3, (int)(0xffffffffu - (uint)(ulong)keys[0])); // the tie goes to row 3
        Assert.Equal(0, GemvCheck.BlockKeysDiffering(tensor(y), tensor(keys)));
    }

    [Fact]
    public void A_key_of_another_row_or_a_block_left_unwritten_is_counted()
    {
        var y = Logits();
        var keys = KeysOf(y);
        keys[1] = (long)TokenSampler.Key(y[40], 40); // a row of its block, not its best
        keys[2] = -1;                                 // the poison: never written
        Assert.Equal(2, GemvCheck.BlockKeysDiffering(tensor(y), tensor(keys)));
    }
}
