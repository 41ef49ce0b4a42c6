using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using GptBench.GpuWorker.Sampling;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Engines;

/// <summary>Helpers every engine shares: request checks, device tensors from host values, samplers per spec.</summary>
static class EngineSupport
{
    public static void CheckRequest(Gpt2Config config, int[] prompt, int newTokens)
    {
        if (prompt.Length == 0)
            throw new ArgumentException("the prompt is empty");
        if (newTokens < 1)
            throw new ArgumentException($"at least one new token is needed, got {newTokens}");
        if (prompt.Length + newTokens > config.NPositions)
            throw new ArgumentException($"{prompt.Length} prompt + {newTokens} new tokens exceed the context of {config.NPositions}");
        var outside = prompt.AsSpan().IndexOfAnyExceptInRange(0, config.VocabSize - 1); // vectorised: on the first token's path
        if (outside >= 0)
            throw new ArgumentException($"prompt token {prompt[outside]} is outside the vocabulary of {config.VocabSize}");
    }

    public static Tensor OnDevice(Device device, params long[] values) => tensor(values, device: device);

    public static Tensor Tokens(int[] ids, Device device) => tensor(ids.Select(t => (long)t).ToArray(), device: device);

    /// <summary>Reads a [1] token id into host memory (on CUDA this waits for the work that produced it).</summary>
    public static int Read(Tensor token) => (int)token.item<long>();
}

/// <summary>One sampler per sampling spec, built once per engine.</summary>
sealed class SamplerSet(int vocabSize, Device device) : IDisposable
{
    readonly Dictionary<SamplingSpec, Sampler> samplers = [];

    public Sampler For(SamplingSpec spec)
    {
        if (!samplers.TryGetValue(spec, out var sampler))
            samplers[spec] = sampler = new Sampler(spec, vocabSize, device);
        return sampler;
    }

    public void Dispose()
    {
        foreach (var sampler in samplers.Values)
            sampler.Dispose();
    }
}
