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
    [InlineData(false, 50, 32, true)]      // GPT-2's 3 x 1,572 block keys (1,571 blocks and the gap) fit 4,800 staged keys
    [InlineData(false, 128, 32, true)]     // MAX_CHOSEN: 128 chosen keys and the rows of 42 blocks, 1,472
    [InlineData(false, 129, 32, false)]    // the multi-block draw
    [InlineData(false, 1000, 32, false)]
    [InlineData(false, 0, 32, false)]      // the race over every token needs every logit's score
    [InlineData(true, 0, 0, false)]        // no block keys
    [InlineData(true, 0, 2, false)]        // blocks of fewer rows than keys
    [InlineData(true, 0, 16, false)]       // 3 x 3,142 block keys do not fit
    public void The_one_block_draw_applies_to_greedy_and_top_k_up_to_128(bool greedy, int topK, int rowsPerBlock, bool applies) =>
        Assert.Equal(applies, TokenSampler.FromBlockKeys(new SamplingSpec(greedy, 0.5, topK), 50257, rowsPerBlock));

    [Theory]
    [InlineData(9, true)]   // 70 logits in blocks of 32: 3 keys each for rows 0..31, 32..63 and the last 6
    [InlineData(10, false)] // more than the 9 keys the blocks have
    public void The_one_block_draw_needs_at_least_k_block_keys(int topK, bool applies) =>
        Assert.Equal(applies, TokenSampler.FromBlockKeys(new SamplingSpec(false, 0.5, topK), 70, 32));

    [Theory]
    [InlineData(2, true)]  // 65 logits: the last block has one row, so one key
    [InlineData(7, true)]
    [InlineData(8, false)]
    public void A_short_last_block_adds_only_its_rows_keys(int topK, bool applies) =>
        Assert.Equal(applies, TokenSampler.FromBlockKeys(new SamplingSpec(false, 0.5, topK), 65, 32));

    [Fact]
    public void Top_k_of_the_whole_vocabulary_is_the_race_over_every_token_not_the_one_block_draw() =>
        Assert.False(TokenSampler.FromBlockKeys(new SamplingSpec(false, 0.5, 9), 9, 3)); // 3 keys for each of 3 blocks of 3 rows

    [Fact]
    public void Block_keys_are_each_blocks_best_three_by_rank_ties_to_the_smaller_row_and_zeros_past_its_rows_and_in_the_gap()
    {
        var logits = new float[66]; // blocks of 32: rows 0..31, 32..63 and a last block of 2
        logits[3] = logits[17] = 5f;
        logits[9] = 4f;
        for (var t = 32; t < 66; t++) logits[t] = -3f;
        logits[40] = 2f;
        logits[50] = -1f;
        logits[65] = 7f;
        Assert.Equal( // 3 blocks, so runs of 4: each rank's keys of blocks 0, 1, 2, then the gap
            [TokenSampler.Key(5f, 3), TokenSampler.Key(2f, 40), TokenSampler.Key(7f, 65), 0UL,
             TokenSampler.Key(5f, 17), TokenSampler.Key(-1f, 50), TokenSampler.Key(-3f, 64), 0UL,
             TokenSampler.Key(4f, 9), TokenSampler.Key(-3f, 32), 0UL, 0UL],
            TokenSampler.BlockKeys(logits, 32));
    }
}
