using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Model;

namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>Which models the prefill kernels (prefill.cu) take, their shared memory and how a product's reduction is split, on the CPU.</summary>
public class PrefillKernelsTests
{
    [Theory]
    [InlineData("gpt2", false, 13, 219136)]        // 64 rows x (768 + 8) bf16, and every one of the 12 chunks' 64 x 144-byte stages, and one more
    [InlineData("gpt2", true, 13, 165888)]         // int8 stages: 64 x 80 bytes
    [InlineData("gpt2-medium", false, 10, 224256)] // as many stages as fit beside 64 x 1032 bf16
    [InlineData("gpt2-large", false, 7, 229376)]
    public void GPT2_small_to_large_fit_an_H100_with_as_many_weight_stages_as_shared_memory_holds(string preset, bool int8, int stages, int shared)
    {
        var c = Presets.All[preset];
        Assert.Equal(stages, PrefillKernels.LnStages(c.NEmbd, int8, H100.SharedBytesPerBlock));
        Assert.Equal(shared, PrefillKernels.LnMatmulSharedBytes(c.NEmbd, int8, stages));
        Assert.True(shared <= H100.SharedBytesPerBlock);
        Assert.True(PrefillKernels.Fits(c, int8, H100.SharedBytesPerBlock, out var reason), reason);
        Assert.Equal("", reason);
    }

    [Theory]
    [InlineData(2048, 32, false, "ln_matmul needs 281600 bytes of shared memory, the GPU gives a block 232448")] // 64 rows of 2048 and two stages
    [InlineData(128, 4, false, "heads are 32 wide, the kernels' 64")]                                             // the tiny preset
    public void Models_the_kernels_cannot_run_are_refused_with_the_reason(int width, int heads, bool int8, string expected)
    {
        var config = Presets.All["gpt2"] with { NEmbd = width, NHead = heads };
        Assert.False(PrefillKernels.Fits(config, int8, H100.SharedBytesPerBlock, out var reason));
        Assert.Equal(expected, reason);
    }

    [Theory]
    [InlineData(24, 12, 264, 11)] // gpt2's attention projection at 128 positions: 12 x 2 tiles on 2 x 132 slots
    [InlineData(24, 48, 264, 11)] // its MLP down-projection
    [InlineData(192, 48, 264, 1)] // 1024 positions: as many tiles as slots already
    [InlineData(24, 2, 264, 2)]   // never more blocks than chunks
    [InlineData(12, 12, 264, 12)] // the last layer's projection, one row tile: one chunk a block
    [InlineData(12, 48, 264, 22)] // its MLP down-projection
    public void A_products_reduction_is_split_to_fill_the_resident_block_slots(int tiles, int chunks, int slots, int splits) =>
        Assert.Equal(splits, PrefillKernels.Splits(tiles, chunks, slots));

    [Theory]
    [InlineData(null, 128)] // measured faster at 128 and 1024 positions, slower at 16 (BENCHMARKS.md)
    [InlineData("", 128)]
    [InlineData("0", 0)]    // every prefill
    [InlineData("64", 64)]
    public void The_LayerNorm_runs_as_its_own_launch_from_the_positions_the_environment_sets_or_128(string? value, int from) =>
        Assert.Equal(from, PrefillKernels.SeparateLayerNormFrom(value));

    [Theory]
    [InlineData("-1")]
    [InlineData("many")]
    [InlineData("1.5")]
    public void A_LayerNorm_threshold_that_is_not_a_whole_number_of_positions_is_refused_by_name(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => PrefillKernels.SeparateLayerNormFrom(value));
        Assert.Contains(PrefillKernels.SeparateLayerNormVariable, e.Message);
        Assert.Contains($"'{value}'", e.Message);
    }

    [Theory]
    [InlineData("gpt2", false, 2, 2, 209920)]  // 64 rows x (768 + 8) bf16 and all 12 chunks' 64 x 144-byte stages
    [InlineData("gpt2", true, 4, 4, 160768)]   // int8 stages: 64 x 80 bytes
    [InlineData("gpt2", false, 1, 0, 209920)]  // one part: ln_matmul instead
    [InlineData("gpt2-medium", false, 2, 0, 279552)] // every chunk of 1024 does not fit beside the rows
    [InlineData("tiny", false, 4, 0, 35840)]         // 128 / 64 = 2 chunks: not a multiple of 4
    public void The_products_from_normalised_rows_split_K_where_the_parts_divide_it_and_every_chunk_fits(string preset, bool int8, int asked, int parts, int shared)
    {
        var c = Presets.All[preset];
        Assert.Equal(shared, PrefillKernels.NormedMatmulSharedBytes(c.NEmbd, int8));
        Assert.Equal(parts, PrefillKernels.NormedParts(c.NEmbd, int8, H100.SharedBytesPerBlock, asked));
    }

    [Theory]
    [InlineData(null, false, 4)]
    [InlineData("", false, 4)]
    [InlineData(null, true, 2)]
    [InlineData("1", false, 1)]
    [InlineData("2", false, 2)]
    [InlineData("4", true, 4)]
    public void The_parts_come_from_the_environment_or_are_4_for_bf16_and_2_for_int8(string? value, bool int8, int parts) =>
        Assert.Equal(parts, PrefillKernels.KParts(value, int8));

    [Theory]
    [InlineData("0")]
    [InlineData("5")]
    [InlineData("two")]
    public void Parts_outside_1_to_4_are_refused_by_name(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => PrefillKernels.KParts(value, int8: false));
        Assert.Contains(PrefillKernels.KPartsVariable, e.Message);
        Assert.Contains($"'{value}'", e.Message);
    }

    [Fact]
    public void Only_the_last_layer_computes_the_prompts_last_position_alone_past_its_keys_and_values()
    {
        var layers = Presets.All["gpt2"].NLayer;
        Assert.Equal([layers - 1], Enumerable.Range(0, layers).Where(l => PrefillKernels.LastPositionOnly(l, layers)));
    }

    [Theory]
    [InlineData(16, false, 1)]
    [InlineData(100, false, 2)]
    [InlineData(1024, false, 16)]
    [InlineData(100, true, 1)]  // the last position's row, wherever it is: the device reads which
    [InlineData(1024, true, 1)]
    public void A_products_grid_has_a_row_tile_per_64_positions_or_one_for_the_last_position_alone(int positions, bool lastPositionOnly, int tiles) =>
        Assert.Equal(tiles, PrefillKernels.RowTiles(positions, lastPositionOnly));

    [Fact]
    public void The_kernels_that_can_compute_the_last_position_alone_take_the_prompts_length_as_their_last_parameter()
    {
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Kernels", "prefill.cu"));
        foreach (var kernel in new[] { "(THREADS) ln_matmul(", "(THREADS) matmul_residual(", " prefill_attention_##KEY_GROUPS(", "(THREADS) prefill_layernorm(" })
        {
            var at = source.IndexOf(kernel, StringComparison.Ordinal);
            Assert.True(at >= 0, kernel);
            var parameters = source[at..source.IndexOf('{', at)].TrimEnd();
            Assert.EndsWith("const int* __restrict__ only_last)", parameters);
        }
        // ... which the embedding, the first launch, copies from the host's Start into device memory.
        var embed = source.IndexOf("(THREADS) prefill_embed(", StringComparison.Ordinal);
        Assert.EndsWith("int* __restrict__ length)", source[embed..source.IndexOf('{', embed)].TrimEnd());
    }

    [Theory]
    [InlineData("gpt2", 128, 128, "")]         // its MLP's first half: 48 x 2 blocks
    [InlineData("gpt2-medium", 128, 128, "")]  // 64 x 2
    [InlineData("gpt2-large", 128, 64, "its widest product needs 160 blocks from 65 positions, more than one wave on 132 SMs")] // 80 x 2
    [InlineData("gpt2-large", 64, 64, "")]
    public void The_kernels_take_prompts_while_their_widest_product_runs_in_one_wave(string preset, int longest, int upTo, string reason)
    {
        Assert.Equal(upTo, PrefillKernels.LongestFaster(Presets.All[preset], false, H100.SharedBytesPerBlock, 132, longest, out var why));
        Assert.Equal(reason, why);
    }

    [Fact]
    public void No_prompt_takes_the_kernels_where_one_row_tile_of_the_widest_product_needs_more_than_a_wave()
    {
        Assert.Equal(0, PrefillKernels.LongestFaster(Presets.All["gpt2-large"], false, H100.SharedBytesPerBlock, 64, 128, out var why));
        Assert.Equal("its widest product needs 80 blocks for one row tile, more than one wave on 64 SMs", why);
    }

    [Fact]
    public void Attention_splits_its_keys_between_two_groups_of_warps_only_beyond_one_tile_and_both_kernels_exist()
    {
        Assert.Equal(1, PrefillKernels.AttentionKeyGroups(64));
        Assert.Equal(2, PrefillKernels.AttentionKeyGroups(128));
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Kernels", "prefill.cu"));
        Assert.Contains("prefill_attention_##KEY_GROUPS(", source);
        foreach (var groups in new[] { 1, 2 })
            Assert.Contains($"\nATTENTION_ENTRY({groups})", source);
    }

    [Theory]
    [InlineData(1, 132, false, 132u)] // one block an SM
    [InlineData(1, 132, true, 132u)]
    [InlineData(0, 132, false, 0u)]   // none fits: no persistent prefill, which is fine unless asked for
    public void The_persistent_prefill_runs_one_block_an_SM_where_one_fits(int resident, int multiprocessors, bool persistent, uint grid) =>
        Assert.Equal(grid, PrefillKernels.PersistentGrid(resident, multiprocessors, persistent));

    [Fact]
    public void Asking_for_a_persistent_prefill_that_does_not_fit_is_an_error() =>
        Assert.Contains("cannot run as one launch", Assert.Throws<InvalidOperationException>(() => PrefillKernels.PersistentGrid(0, 132, persistent: true)).Message);

    [Fact]
    public void The_persistent_prefills_layer_table_has_prefill_cus_sixteen_pointers_a_layer()
    {
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Kernels", "prefill.cu"));
        var layer = source[source.IndexOf("struct PrefillLayer {")..];
        layer = layer[..layer.IndexOf("};")];
        Assert.Equal(PrefillKernels.PointersPerLayer, layer.Count(ch => ch == '*'));
    }

    [Fact]
    public void The_prompt_is_written_as_length_seed_and_tokens_padded_with_zeros_up_to_the_positions()
    {
        var values = Enumerable.Repeat(-7, 2 + 8).ToArray(); // a start that held an earlier, longer prompt
        PrefillKernels.WriteStart(values, [5, 6, 7], positions: 6, seed: 0x1_2345_6789);
        Assert.Equal([3, 0x2345_6789, 5, 6, 7, 0, 0, 0, -7, -7], values); // the seed's low 32 bits; nothing past the positions touched
    }

    [Theory]
    [InlineData(0, 4)] // no tokens
    [InlineData(5, 4)] // more tokens than positions
    [InlineData(3, 9)] // more positions than the start holds
    public void Prompts_that_do_not_fit_the_start_are_refused(int tokens, int positions)
    {
        var values = new int[2 + 8];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PrefillKernels.WriteStart(values, new int[tokens], positions, seed: 1));
        Assert.Contains($"a prompt of {tokens} tokens computed as {positions} positions (at most 8)", error.Message);
    }
}
