using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using GptBench.GpuWorker.Sampling;
using TorchSharp;
using static GptBench.GpuWorker.Engines.EngineSupport;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Engines;

/// <summary>
/// A preallocated KV cache and a decode step over fixed tensors (token in, position, seed, token out)
/// whose shapes never change. The <c>static</c> engine runs that step op by op; the <c>cuda-graph</c>
/// engine captures the whole step (embedding lookup at the position tensor, every layer, sampling,
/// advancing the position) into a CUDA graph once per sampling spec and replays it for every token.
/// The prefill runs op by op in both.
/// </summary>
public sealed class StaticEngine : IEngine
{
    readonly Gpt2 model;
    readonly StaticKvCache cache;
    readonly Tensor tokenIn, position, seed, tokenOut; // [1] int64 each, on the device
    readonly SamplerSet samplers;
    readonly CudaStream? stream;                        // only with CUDA graphs
    readonly Dictionary<SamplingSpec, CudaGraph> graphs = [];
    readonly PrefillGraphs? prefill;                    // only with CUDA graphs
    readonly List<IDisposable> captured = [];           // tensors created during capture: the graphs use their memory

    public string Name { get; }
    public Gpt2 Model => model;

    public StaticEngine(Gpt2 model, bool cudaGraph)
    {
        if (cudaGraph && model.Device.type != DeviceType.CUDA)
            throw new ArgumentException($"the {EngineNames.CudaGraph} engine needs a CUDA device, got {model.Device}");
        this.model = model;
        Name = cudaGraph ? EngineNames.CudaGraph : EngineNames.Static;
        var device = model.Device;
        cache = new StaticKvCache(model.Config, model.Dtype, device, model.Config.NPositions);
        tokenIn = zeros([1], ScalarType.Int64, device).DetachFromDisposeScope();
        position = zeros([1], ScalarType.Int64, device).DetachFromDisposeScope();
        seed = zeros([1], ScalarType.Int64, device).DetachFromDisposeScope();
        tokenOut = zeros([1], ScalarType.Int64, device).DetachFromDisposeScope();
        samplers = new SamplerSet(model.Config.VocabSize, device);
        if (cudaGraph)
        {
            // All later work runs on a non-blocking stream (a graph cannot be captured from the legacy
            // default stream): first let everything enqueued on other streams, like the weights, finish.
            cuda.synchronize();
            stream = new CudaStream(Math.Max(0, (int)device.index));
            stream.MakeCurrent();
            prefill = new PrefillGraphs(model, cache, stream);
        }
    }

    public void Prepare(SamplingSpec sampling)
    {
        var sampler = samplers.For(sampling);
        if (stream is null || graphs.ContainsKey(sampling))
            return;
        stream.MakeCurrent();
        // Run the step before capturing so the caching allocator already holds every block it needs.
        position.fill_(0);
        tokenIn.fill_(0);
        for (int i = 0; i < 2; i++)
        {
            using var warmup = NewDisposeScope();
            Step(sampler);
        }
        stream.Synchronize();
        using var scope = NewDisposeScope();
        graphs[sampling] = CudaGraph.Capture(stream, () => Step(sampler));
        Console.Error.WriteLine($"cuda-graph: the decode step is {graphs[sampling].NodeCount} graph nodes");
        var kept = scope.DisposablesView.ToList();
        scope.Detach(kept);
        captured.AddRange(kept);
        // The prefill and its first token, one graph per prompt bucket: position holds the last prompt position.
        prefill!.Prepare(sampling, logits => TakeToken(sampler.Sample(logits, seed, position)));
    }

    public int[] Generate(int[] prompt, int newTokens, SamplingSpec sampling, long seed, Action<int, int>? onToken = null)
    {
        CheckRequest(model.Config, prompt, newTokens);
        Prepare(sampling);
        var sampler = samplers.For(sampling);
        stream?.MakeCurrent();
        var generated = new int[newTokens];

        using (NewDisposeScope())
        {
            this.seed.fill_(Sampler.SeedValue(seed));
            position.fill_(prompt.Length - 1);
            if (prefill is null || !prefill.TryRun(prompt, sampling))
                TakeToken(sampler.Sample(model.Prefill(Tokens(prompt, model.Device), cache), this.seed, position));
            generated[0] = Read(tokenOut);
            onToken?.Invoke(0, generated[0]);
        }
        var graph = stream is null ? null : graphs[sampling];
        for (int i = 1; i < newTokens; i++)
        {
            if (graph is not null)
                graph.Launch();
            else
            {
                using var step = NewDisposeScope();
                Step(sampler);
            }
            generated[i] = Read(tokenOut);
            onToken?.Invoke(i, generated[i]);
        }
        return generated;
    }

    // One decode step entirely on the device: no host values in, none out.
    void Step(Sampler sampler) => TakeToken(sampler.Sample(model.Decode(tokenIn, position, cache), seed, position));

    // The sampled token becomes the output and the next step's input, one position further.
    void TakeToken(Tensor next)
    {
        tokenOut.copy_(next);
        tokenIn.copy_(next);
        position.add_(1);
    }

    public void Dispose()
    {
        stream?.Synchronize();
        foreach (var graph in graphs.Values)
            graph.Dispose();
        prefill?.Dispose();
        foreach (var tensor in captured)
            tensor.Dispose();
        samplers.Dispose();
        cache.Dispose();
        foreach (var tensor in new[] { tokenIn, position, seed, tokenOut })
            tensor.Dispose();
        stream?.Dispose();
    }
}
