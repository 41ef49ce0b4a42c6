using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using GptBench.GpuWorker.Sampling;
using static GptBench.GpuWorker.Engines.EngineSupport;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Engines;

/// <summary>
/// The HF-like baseline: a cache grown by concatenation (new tensors every step) and a position
/// tensor built from the host every step.
/// </summary>
public sealed class EagerEngine(Gpt2 model) : IEngine
{
    readonly SamplerSet samplers = new(model.Config.VocabSize, model.Device);

    public string Name => EngineNames.Eager;
    public Gpt2 Model => model;

    public void Prepare(SamplingSpec sampling) => samplers.For(sampling);

    public int[] Generate(int[] prompt, int newTokens, SamplingSpec sampling, long seed, Action<int, int>? onToken = null)
    {
        CheckRequest(model.Config, prompt, newTokens);
        var sampler = samplers.For(sampling);
        var device = model.Device;
        var generated = new int[newTokens];
        using var scope = NewDisposeScope();
        using var cache = new EagerKvCache(model.Config.NLayer);
        var seedTensor = OnDevice(device, Sampler.SeedValue(seed));

        var position = OnDevice(device, prompt.Length - 1);
        var token = sampler.Sample(model.Prefill(Tokens(prompt, device), cache), seedTensor, position);
        generated[0] = Read(token);
        onToken?.Invoke(0, generated[0]);
        for (int i = 1; i < newTokens; i++)
        {
            using var step = NewDisposeScope();
            position = OnDevice(device, prompt.Length - 1 + i);
            token = step.MoveToOuter(sampler.Sample(model.Decode(token, position, cache), seedTensor, position));
            generated[i] = Read(token);
            onToken?.Invoke(i, generated[i]);
        }
        return generated;
    }

    public void Dispose() => samplers.Dispose();
}
