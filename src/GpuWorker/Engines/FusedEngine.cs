using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using TorchSharp;
using static GptBench.GpuWorker.Engines.EngineSupport;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Engines;

/// <summary>
/// Decode through our own kernels (Kernels/*.cu, compiled with NVRTC): one CUDA graph per step of three
/// launches (all layers in one persistent kernel, lm_head, sampling), or of 5 L + 3 where the persistent
/// kernel does not fit the model; weights in bf16 or int8, the KV cache shared with the model's prefill. Tokens
/// reach the host through a mapped ring while the GPU runs ahead (a window of steps in flight), so the
/// GPU never waits for the host and every token is timed when it is really on the host.
/// </summary>
public sealed class FusedEngine : IEngine
{
    /// <summary>Decode steps enqueued ahead of the token the host waits for.</summary>
    const int StepsInFlight = 8;
    static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(30);

    readonly Gpt2 model;
    readonly StaticKvCache cache;
    readonly CudaStream stream;
    readonly FusedWeights weights;
    readonly FusedDecoder decoder;
    readonly HostTokenRing ring;
    readonly Dictionary<SamplingSpec, CudaGraph> graphs = [];
    readonly PrefillGraphs prefill;
    static readonly object PrefillKey = new();

    public string Name => EngineNames.Fused;
    public Gpt2 Model => model;
    public long WeightBytesPerToken { get; }
    public int CacheElementSize => 2;

    public FusedEngine(Gpt2 model, bool int8)
    {
        if (model.Device.type != DeviceType.CUDA)
            throw new ArgumentException($"the {EngineNames.Fused} engine needs a CUDA device, got {model.Device}");
        if (model.Dtype != ScalarType.BFloat16)
            throw new ArgumentException($"the {EngineNames.Fused} engine runs bf16 (or int8) weights, got {model.Dtype}");
        this.model = model;
        cuda.synchronize();
        stream = new CudaStream(Math.Max(0, (int)model.Device.index));
        stream.MakeCurrent();
        cache = new StaticKvCache(model.Config, model.Dtype, model.Device, model.Config.NPositions);
        weights = new FusedWeights(model, int8);
        decoder = new FusedDecoder(model.Config, weights, cache.Data, model.Device, LayerChoice(model.Config, int8));
        ring = new HostTokenRing(model.Config.NPositions);
        WeightBytesPerToken = weights.BytesPerToken(model.Config);
        prefill = new PrefillGraphs(model, cache, stream);
        prefill.Prepare(PrefillKey, logits => decoder.Logits.copy_(logits));
        stream.Synchronize();
    }

    static bool LayerChoice(Gpt2Config config, bool int8) =>
        UsePersistentLayers(Environment.GetEnvironmentVariable("GPTBENCH_FUSED_LAYERS"), () =>
        {
            var fits = LayerKernel.Fits(config, int8, out var reason);
            return (fits, reason);
        }, Console.Error);

    /// <summary>
    /// Every layer in one persistent kernel (Kernels/layers.cu) where its launch plan fits the model on this GPU
    /// (<paramref name="fits"/>), else five launches a layer, said on <paramref name="log"/>. GPTBENCH_FUSED_LAYERS
    /// (<paramref name="forced"/>) = persistent or per-kernel forces one, to compare them; forcing the persistent
    /// kernel where it does not fit fails when the kernel is built, not silently here.
    /// </summary>
    internal static bool UsePersistentLayers(string? forced, Func<(bool Fits, string Reason)> fits, TextWriter log)
    {
        switch (forced)
        {
            case null or "": break;
            case "persistent": return true;
            case "per-kernel": return false;
            default: throw new ArgumentException($"GPTBENCH_FUSED_LAYERS must be 'persistent' or 'per-kernel', got '{forced}'");
        }
        var (ok, reason) = fits();
        if (!ok) log.WriteLine($"fused: five launches a layer ({reason})");
        return ok;
    }

    public void Prepare(SamplingSpec sampling)
    {
        if (graphs.ContainsKey(sampling)) return;
        stream.MakeCurrent();
        // The kernels allocate nothing, so no warm-up is needed before capture; the graph reads all its inputs from device memory.
        graphs[sampling] = CudaGraph.Capture(stream, () => decoder.Step(stream.Handle, sampling, ring.DevicePointer, ring.Capacity));
        Console.Error.WriteLine($"fused: the decode step is {graphs[sampling].NodeCount} graph nodes");
    }

    public int[] Generate(int[] prompt, int newTokens, SamplingSpec sampling, long seed, Action<int, int>? onToken = null)
    {
        CheckRequest(model.Config, prompt, newTokens);
        Prepare(sampling);
        stream.MakeCurrent();
        ring.Clear(newTokens);
        var graph = graphs[sampling];
        using (NewDisposeScope())
        {
            decoder.Start(prompt.Length - 1);
            decoder.Seed.fill_(Sampling.Sampler.SeedValue(seed));
            // The prompt's keys and values go into the shared cache; its last logits are sampled by our kernel.
            if (!prefill.TryRun(prompt, PrefillKey))
                decoder.Logits.copy_(model.Prefill(Tokens(prompt, model.Device), cache));
            decoder.Sample(stream.Handle, sampling, ring.DevicePointer, ring.Capacity);
        }
        var generated = new int[newTokens];
        var launched = 1;
        for (var i = 0; i < newTokens; i++)
        {
            for (; launched < newTokens && launched <= i + StepsInFlight; launched++)
                graph.Launch();
            generated[i] = ring.WaitFor(i, stream, TokenTimeout);
            onToken?.Invoke(i, generated[i]);
        }
        stream.Synchronize();
        return generated;
    }

    public void Dispose()
    {
        stream.Synchronize();
        foreach (var graph in graphs.Values) graph.Dispose();
        prefill.Dispose();
        ring.Dispose();
        decoder.Dispose();
        weights.Dispose();
        cache.Dispose();
        stream.Dispose();
    }
}
