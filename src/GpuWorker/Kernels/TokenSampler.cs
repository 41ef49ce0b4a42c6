using GptBench.GpuWorker.Protocol;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// sampling.cu's sample_token over a vocabulary of V logits: one block per chunk of at most 2,048 logits
/// (at least 32 blocks of 512 threads) and the candidate buffer the blocks hand to the last one. It starts while
/// the lm_head still runs (programmatic dependent launch), so its blocks hold threads the lm_head's could use:
/// measured, 32 blocks of 512 decode ~1% faster than 64 of 1,024 (BENCHMARKS.md).
/// </summary>
internal sealed class TokenSampler : IDisposable
{
    internal const int MaxChunk = 2048;        // a chunk's keys fit sampling.cu's MAX_STAGED
    const int MaxStaged = 4800, MaxChosen = 128; // sampling.cu's MAX_STAGED and MAX_CHOSEN
    internal const int BlockKeysPerBlock = 3;  // common.cuh's BLOCK_KEYS: the keys the lm_head writes for each of its blocks
    const int MinBlocks = 32;
    const uint Threads = 512;                  // sampling.cu THREADS

    /// <summary>The constants above by their names in sampling.cu (a test holds them equal).</summary>
    internal static readonly IReadOnlyDictionary<string, int> KernelDefines = new Dictionary<string, int>
    {
        ["THREADS"] = (int)Threads, ["MAX_STAGED"] = MaxStaged, ["MAX_CHOSEN"] = MaxChosen, ["BLOCK_KEYS"] = BlockKeysPerBlock,
    };

    readonly KernelModule module;
    readonly int vocabulary;
    readonly uint blocks;
    readonly Tensor candidates, counter;

    public TokenSampler(int vocabulary, Device device)
    {
        module = KernelModule.Load("sampling.cu", "WEIGHTS_BF16");
        this.vocabulary = vocabulary;
        blocks = (uint)Math.Max(MinBlocks, (vocabulary + MaxChunk - 1) / MaxChunk);
        var chunk = (vocabulary + blocks - 1) / blocks;
        candidates = zeros([blocks * chunk], ScalarType.Int64, device).DetachFromDisposeScope(); // room for every block's whole chunk
        counter = zeros([1], ScalarType.Int32, device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Enqueues one draw from <paramref name="logits"/>: reads the step from state[2] and the seed from
    /// <paramref name="seed"/>; writes the token to state[0], history[step] and, below ringCapacity, the host ring.
    /// Where <paramref name="blockKeys"/> holds the lm_head's best <see cref="BlockKeysPerBlock"/> keys of each block of
    /// <paramref name="rowsPerBlock"/> logits (<see cref="BlockKeys"/>) and the draw can use them (<see cref="FromBlockKeys"/>),
    /// one block draws from those instead.
    /// </summary>
    public void Launch(IntPtr stream, SamplingSpec spec, Tensor logits, Tensor seed, Tensor state, Tensor history, IntPtr ring, int ringCapacity,
        Tensor? blockKeys = null, int rowsPerBlock = 0)
    {
        var oneBlock = blockKeys is not null && FromBlockKeys(spec, vocabulary, rowsPerBlock);
        module.Launch("sample_token", (oneBlock ? 1u : blocks, 1, 1), Threads, stream, a => a
            .Ptr(Pointers.Of(logits)).Int(vocabulary).Int(spec.Greedy ? 1 : 0).Float((float)(1.0 / spec.Temperature)).Int(spec.TopK)
            .Ptr(Pointers.Of(seed)).Ptr(Pointers.Of(state)).Ptr(Pointers.Of(history)).Ptr(ring).Int(ringCapacity)
            .Ptr(Pointers.Of(candidates)).Ptr(Pointers.Of(counter)).Ptr(oneBlock ? Pointers.Of(blockKeys!) : IntPtr.Zero).Int(rowsPerBlock));
    }

    /// <summary>
    /// Whether sampling.cu's one-block draw from the lm_head's block keys applies to <paramref name="spec"/> over
    /// <paramref name="vocabulary"/> logits in blocks of <paramref name="rowsPerBlock"/>: greedy, or top-k up to its
    /// MAX_CHOSEN where the block keys fit its shared memory and number at least k, and where the k chosen keys fit it with
    /// the rows of the blocks whose every key is among them (at most k / <see cref="BlockKeysPerBlock"/>); not the race
    /// over every token (no top-k), which needs every logit's score.
    /// </summary>
    internal static bool FromBlockKeys(SamplingSpec spec, int vocabulary, int rowsPerBlock)
    {
        if (rowsPerBlock < BlockKeysPerBlock) return false;
        var blocks = Blocks(vocabulary, rowsPerBlock);
        if (BlockKeyCount(vocabulary, rowsPerBlock) > MaxStaged) return false;
        if (spec.Greedy) return true;
        var keys = BlockKeysPerBlock * (blocks - 1) + Math.Min(BlockKeysPerBlock, vocabulary - (blocks - 1) * rowsPerBlock); // the nonzero ones
        return spec.TopK > 0 && spec.TopK < vocabulary && spec.TopK <= keys && spec.TopK <= MaxChosen &&
               spec.TopK + (long)(spec.TopK / BlockKeysPerBlock) * rowsPerBlock <= MaxStaged;
    }

    /// <summary>
    /// common.cuh's make_key: the logit's order-preserving bits above the complemented token, so that a larger key is a
    /// larger logit, ties going to the smaller token (the check computes the lm_head's block keys with it).
    /// </summary>
    internal static ulong Key(float logit, int token)
    {
        var u = BitConverter.SingleToUInt32Bits(logit);
        var ordered = (u & 0x80000000u) != 0 ? ~u : u | 0x80000000u;
        return ((ulong)ordered << 32) | (0xffffffffu - (uint)token);
    }

    /// <summary>The keys the lm_head writes for <paramref name="vocabulary"/> logits in blocks of <paramref name="rowsPerBlock"/>.</summary>
    internal static int BlockKeyCount(int vocabulary, int rowsPerBlock) => BlockKeysPerBlock * BlockKeyStride(Blocks(vocabulary, rowsPerBlock));

    /// <summary>The lm_head's blocks over <paramref name="vocabulary"/> logits, <paramref name="rowsPerBlock"/> rows each.</summary>
    static int Blocks(int vocabulary, int rowsPerBlock) => (vocabulary + rowsPerBlock - 1) / rowsPerBlock;

    /// <summary>common.cuh's block_key_stride: where each rank's run of block keys starts, the block count rounded up to even.</summary>
    internal static int BlockKeyStride(int blocks) => (blocks + 1) & ~1;

    /// <summary>
    /// What the lm_head writes for the one-block draw, computed on the host (the checks' reference): for each block of
    /// <paramref name="rowsPerBlock"/> of <paramref name="logits"/>, the best <see cref="BlockKeysPerBlock"/> of its rows'
    /// <see cref="Key"/>s, largest first, 0 where the block has fewer rows; by rank, key j of block b at j
    /// <see cref="BlockKeyStride"/> + b, 0 in the gap where the block count is odd.
    /// </summary>
    internal static ulong[] BlockKeys(IReadOnlyList<float> logits, int rowsPerBlock)
    {
        var blocks = Blocks(logits.Count, rowsPerBlock);
        var stride = BlockKeyStride(blocks);
        var keys = new ulong[BlockKeysPerBlock * stride];
        for (var b = 0; b < blocks; b++)
        {
            var best = Enumerable.Range(b * rowsPerBlock, Math.Min(rowsPerBlock, logits.Count - b * rowsPerBlock))
                .Select(t => Key(logits[t], t)).OrderDescending().Take(BlockKeysPerBlock).ToArray();
            for (var j = 0; j < best.Length; j++) keys[j * stride + b] = best[j];
        }
        return keys;
    }

    public void Dispose()
    {
        candidates.Dispose();
        counter.Dispose();
    }
}
