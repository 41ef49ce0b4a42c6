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
    const int MinBlocks = 32;
    const uint Threads = 512;                  // sampling.cu THREADS

    /// <summary>The constants above by their names in sampling.cu (a test holds them equal).</summary>
    internal static readonly IReadOnlyDictionary<string, int> KernelDefines = new Dictionary<string, int> { ["THREADS"] = (int)Threads };

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
    /// </summary>
    public void Launch(IntPtr stream, SamplingSpec spec, Tensor logits, Tensor seed, Tensor state, Tensor history, IntPtr ring, int ringCapacity) =>
        module.Launch("sample_token", (blocks, 1, 1), Threads, stream, a => a
            .Ptr(Pointers.Of(logits)).Int(vocabulary).Int(spec.Greedy ? 1 : 0).Float((float)(1.0 / spec.Temperature)).Int(spec.TopK)
            .Ptr(Pointers.Of(seed)).Ptr(Pointers.Of(state)).Ptr(Pointers.Of(history)).Ptr(ring).Int(ringCapacity)
            .Ptr(Pointers.Of(candidates)).Ptr(Pointers.Of(counter)));

    public void Dispose()
    {
        candidates.Dispose();
        counter.Dispose();
    }
}
