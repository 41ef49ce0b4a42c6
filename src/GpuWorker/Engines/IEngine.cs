using GptBench.GpuWorker.Measurement;
using GptBench.GpuWorker.Model;
using TorchSharp;
using GptBench.GpuWorker.Protocol;

namespace GptBench.GpuWorker.Engines;

/// <summary>Generates tokens from a loaded model at batch size 1; one implementation per engine name.</summary>
public interface IEngine : IDisposable
{
    string Name { get; }
    Gpt2 Model { get; }

    /// <summary>Bytes of weights one decode step reads (all of them once; the tied embedding once, as the lm_head).</summary>
    long WeightBytesPerToken => Traffic.WeightBytesPerToken(Model);

    /// <summary>Bytes per element of the KV cache the engine reads.</summary>
    int CacheElementSize => Model.Dtype.ElementSize();

    /// <summary>Builds what <paramref name="sampling"/> needs (sampler constants, CUDA graphs) ahead of timed runs.</summary>
    void Prepare(SamplingSpec sampling);

    /// <summary>
    /// Generates exactly <paramref name="newTokens"/> tokens after <paramref name="prompt"/> (no stop token).
    /// <paramref name="onToken"/>(index, id) runs as soon as token <c>index</c>'s id is in host memory, in order.
    /// The same (weights, prompt, sampling, seed) give the same tokens on every engine, up to floating-point
    /// differences between their kernels.
    /// </summary>
    int[] Generate(int[] prompt, int newTokens, SamplingSpec sampling, long seed, Action<int, int>? onToken = null);
}
