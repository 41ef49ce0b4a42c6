using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Protocol;

namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>The sampler's host side: its keys as common.cuh makes them, and where the one-block draw from the lm_head's block keys applies.</summary>
public class TokenSamplerTests
{
    [Fact]
    public void A_larger_key_is_a_larger_logit_and_ties_go_to_the_smaller_token()
    {
        float[] logits = [float.NegativeInfinity, -3.5f, -0f, 0f, 1e-30f, 2f, 2f, 1e30f];
        var keys = logits.Select((l, i) => TokenSampler.Key(l, i)).ToList();
        for (var i = 1; i < keys.Count; i++)
            if (logits[i] > logits[i - 1]) Assert.True(keys[i] > keys[i - 1], $"{logits[i]} over {logits[i - 1]}");
        Assert.True(TokenSampler.Key(2f, 5) > TokenSampler.Key(2f, 6)); // equal logits: the smaller token wins
        Assert.All(keys, k => Assert.NotEqual(0UL, k));                 // 0 is no candidate
        Assert.Equal(7, (int)(0xffffffffu - (uint)TokenSampler.Key(1e30f, 7))); // the token comes back out
    }

    [Theory]
    [InlineData(true, 0, 32, true)]        // greedy: the best block key is the best logit's
    [InlineData(false, 50, 32, true)]      // GPT-2's 1,571 block keys and 50 x 32 rows fit 4,096 staged keys
    [InlineData(false, 78, 32, true)]      // 1,571 + 78 x 32 = 4,067
    [InlineData(false, 79, 32, false)]     // 4,099: the multi-block draw
    [InlineData(false, 1000, 32, false)]
    [InlineData(false, 0, 32, false)]      // the race over every token needs every logit's score
    [InlineData(true, 0, 0, false)]        // no block keys
    public void The_one_block_draw_applies_to_greedy_and_small_top_k(bool greedy, int topK, int rowsPerBlock, bool applies) =>
        Assert.Equal(applies, TokenSampler.FromBlockBest(new SamplingSpec(greedy, 0.5, topK), 50257, rowsPerBlock));

    [Fact]
    public void Block_keys_are_each_blocks_best_logit_ties_to_the_smaller_row_and_a_short_last_block_its_own()
    {
        var logits = new float[70]; // blocks of 32: rows 0..31, 32..63 and a last block of 6
        logits[3] = logits[17] = 5f;
        logits[40] = 2f;
        for (var t = 64; t < 70; t++) logits[t] = -3f;
        logits[68] = -1f;
        Assert.Equal([TokenSampler.Key(5f, 3), TokenSampler.Key(2f, 40), TokenSampler.Key(-1f, 68)], TokenSampler.BlockKeys(logits, 32));
    }
}
