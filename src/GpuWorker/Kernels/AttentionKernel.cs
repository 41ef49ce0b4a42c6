using GptBench.GpuWorker.Model;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// attention.cu for one model shape: its entry point, its workspace (each slice's partial result and each
/// head's count of finished slices) and the launch itself, for the decoder and check-kernels alike.
/// </summary>
internal sealed class AttentionKernel : IDisposable
{
    public const int Slices = 16;    // at most attention.cu's MAX_SLICES
    const uint Threads = 128;        // attention.cu THREADS
    static readonly int[] HeadSizes = [32, 64, 128];

    readonly KernelModule module;
    readonly Gpt2Config c;
    readonly string name;
    readonly Tensor partial;

    /// <summary>Per head, the slices finished so far; the merging block resets it to 0.</summary>
    public Tensor Counters { get; }

    public AttentionKernel(Gpt2Config config, Device device)
    {
        name = EntryPoint(config);
        c = config;
        module = KernelModule.Load("attention.cu", "WEIGHTS_BF16"); // the cache is bf16 whatever the weights
        partial = zeros([(long)c.NHead * Slices * (c.HeadDim + 2)], ScalarType.Float32, device).DetachFromDisposeScope();
        Counters = zeros([c.NHead], ScalarType.Int32, device).DetachFromDisposeScope();
    }

    /// <summary>attention.cu's entry point for the model's head size; other shapes are refused before anything runs.</summary>
    public static string EntryPoint(Gpt2Config config)
    {
        if (!HeadSizes.Contains(config.HeadDim))
            throw new ArgumentException($"the fused engine's attention supports head sizes {string.Join(", ", HeadSizes)}; this model's is {config.HeadDim}");
        return $"attention_decode_{config.HeadDim}";
    }

    /// <summary>
    /// Enqueues attention for the new token: q, k, v from <paramref name="qkv"/>, one layer's bf16 key and value cache
    /// [H, T, D] at <paramref name="keys"/> and <paramref name="values"/>, the position read from device memory.
    /// </summary>
    public void Launch(IntPtr stream, Tensor qkv, IntPtr keys, IntPtr values, IntPtr position, Tensor output) =>
        module.Launch(name, ((uint)c.NHead, Slices, 1), Threads, stream, a => a
            .Ptr(Pointers.Of(qkv)).Ptr(keys).Ptr(values).Ptr(position).Ptr(Pointers.Of(partial)).Ptr(Pointers.Of(Counters))
            .Ptr(Pointers.Of(output)).Int(c.NHead).Int(c.NPositions));

    public void Dispose()
    {
        partial.Dispose();
        Counters.Dispose();
    }
}
