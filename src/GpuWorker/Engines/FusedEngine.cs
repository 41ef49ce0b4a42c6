using GptBench.GpuWorker.Host;
using GptBench.GpuWorker.Kernels;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using TorchSharp;
using static GptBench.GpuWorker.Engines.EngineSupport;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Engines;

/// <summary>
/// Decode through our own kernels (Kernels/*.cu, compiled with NVRTC): CUDA graphs of several steps, each three
/// launches (all layers in one persistent kernel, lm_head, sampling), or of 5 L + 3 where the persistent
/// kernel does not fit the model; weights in bf16 or int8. The prompt's prefill runs through our kernels too
/// (prefill.cu; one graph per bucketed prompt length and sampling, from the prompt to the first token) where
/// they are faster, else through the model's TorchSharp ops captured per bucket, into the same KV cache. Tokens
/// reach the host through a mapped ring while the GPU runs ahead (a window of steps in flight), so the
/// GPU never waits for the host and every token is timed when it is really on the host.
/// </summary>
public sealed class FusedEngine : IEngine
{
    /// <summary>Decode steps enqueued ahead of the token the host waits for (at least; a graph of several may go further).</summary>
    const int StepsInFlight = 8;
    /// <summary>
    /// Decode steps in one graph by default: between graph launches the GPU idles and the next step cannot start its
    /// weight loads while the last one ends (programmatic dependent launch works only inside a graph).
    /// GPTBENCH_STEPS_PER_GRAPH sets it, to compare.
    /// </summary>
    internal const int DefaultStepsPerGraph = 8, MostStepsPerGraph = 64;
    internal const string StepsPerGraphVariable = "GPTBENCH_STEPS_PER_GRAPH";
    static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(30);

    readonly Gpt2 model;
    readonly StaticKvCache cache;
    readonly CudaStream stream;
    readonly FusedWeights weights;
    readonly FusedDecoder decoder;
    readonly HostTokenRing ring;
    readonly Dictionary<SamplingSpec, DecodeGraphs> graphs = [];
    readonly int stepsPerGraph = StepsPerGraph(Environment.GetEnvironmentVariable(StepsPerGraphVariable));
    // The prefill: ours for prompts up to prefillKernelsUpTo tokens, with a graph per bucketed length; the model's for longer ones.
    readonly int prefillKernelsUpTo;
    readonly PrefillKernels? prefillKernels;
    readonly Dictionary<(int Bucket, SamplingSpec Sampling), CudaGraph> prefillKernelGraphs = [];
    readonly PrefillGraphs? torchPrefill;
    static readonly object PrefillKey = new();

    /// <summary>
    /// A part of the engine with a faster kind that may not fit the model, and the environment variable that forces either;
    /// a kind not yet measured faster (<paramref name="FastByDefault"/> false) runs only where forced.
    /// </summary>
    internal sealed record Choice(string Variable, string Fast, string Fallback, string FallbackSaid, bool FastByDefault = true);

    internal static readonly Choice LayersChoice = new("GPTBENCH_FUSED_LAYERS", "persistent", "per-kernel", "five launches a layer");
    internal static readonly Choice PrefillChoice = new("GPTBENCH_FUSED_PREFILL", "kernels", "torch", "the prefill through TorchSharp");
    // Our prefill as one persistent launch: measured slower than five launches a layer (BENCHMARKS.md, "The prefill as one persistent launch").
    internal static readonly Choice PrefillLaunchChoice = new("GPTBENCH_PREFILL_LAUNCH", "persistent", "launches", "our prefill as five launches a layer",
        FastByDefault: false);

    /// <summary>
    /// The longest prompt our prefill kernels take by default: longer ones go through the model's TorchSharp ops, whose
    /// cuBLAS products are faster there (BENCHMARKS.md, "The prefill through our kernels"). A wider model's bound is
    /// lower (PrefillKernels.LongestFaster).
    /// </summary>
    internal const int PrefillKernelsLongest = 128;

    /// <summary>
    /// The longest prompt (in a context of <paramref name="positions"/>) the prefill kernels run, 0 for none: every one
    /// where the environment forces them (<paramref name="forced"/> is the choice's fast kind), none where they are not
    /// expected faster or the environment forces TorchSharp (<paramref name="ours"/> false), else up to
    /// <paramref name="longestFaster"/> (PrefillKernels.LongestFaster).
    /// </summary>
    internal static int PrefillKernelsUpTo(bool ours, string? forced, int positions, int longestFaster) =>
        !ours ? 0 : forced == PrefillChoice.Fast ? positions : Math.Min(positions, longestFaster);

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
        var persistent = UseFast(LayersChoice, () => (LayerKernel.Fits(model.Config, int8, out var why), why));
        decoder = new FusedDecoder(model.Config, weights, cache.Data, model.Device, persistent);
        ring = new HostTokenRing(model.Config.NPositions);
        WeightBytesPerToken = weights.BytesPerToken(model.Config);
        var forcedPrefill = Environment.GetEnvironmentVariable(PrefillChoice.Variable);
        var longestFaster = PrefillKernels.LongestFaster(model.Config, int8, CudaDriver.MaxSharedBytesPerBlock(), CudaDriver.Multiprocessors(),
            PrefillKernelsLongest, out var shorter);
        var ours = UseFast(PrefillChoice, forcedPrefill, () => (longestFaster > 0, shorter), Console.Error);
        prefillKernelsUpTo = PrefillKernelsUpTo(ours, forcedPrefill, model.Config.NPositions, longestFaster);
        if (ours && prefillKernelsUpTo < Math.Min(PrefillKernelsLongest, model.Config.NPositions))
            Console.Error.WriteLine($"fused: {PrefillChoice.FallbackSaid} from {prefillKernelsUpTo + 1} tokens ({shorter})");
        if (prefillKernelsUpTo > 0) // its graphs are captured in Prepare
            prefillKernels = new PrefillKernels(model.Config, weights, cache.Data, model.Device,
                persistent: UseFast(PrefillLaunchChoice, () => throw new InvalidOperationException("not the default: never asked")));
        if (prefillKernelsUpTo < model.Config.NPositions)
        {
            torchPrefill = new PrefillGraphs(model, cache, stream);
            torchPrefill.Prepare(PrefillKey, logits => decoder.Logits.copy_(logits), longerThan: prefillKernelsUpTo);
        }
        stream.Synchronize();
    }

    static bool UseFast(Choice choice, Func<(bool Fits, string Reason)> fits) =>
        UseFast(choice, Environment.GetEnvironmentVariable(choice.Variable), fits, Console.Error);

    /// <summary>
    /// The fast kind of <paramref name="choice"/> where it fits the model on this GPU (<paramref name="fits"/>), else the
    /// fallback, said on <paramref name="log"/>; the fallback without asking where the fast kind is not the default. The
    /// variable's value (<paramref name="forced"/>) forces either, to compare them; forcing the fast kind where it does
    /// not fit fails when it is built, not silently here.
    /// </summary>
    internal static bool UseFast(Choice choice, string? forced, Func<(bool Fits, string Reason)> fits, TextWriter log)
    {
        if (forced == choice.Fast) return true;
        if (forced == choice.Fallback) return false;
        if (!string.IsNullOrEmpty(forced))
            throw new ArgumentException($"{choice.Variable} must be '{choice.Fast}' or '{choice.Fallback}', got '{forced}'");
        if (!choice.FastByDefault) return false;
        var (ok, reason) = fits();
        if (!ok) log.WriteLine($"fused: {choice.FallbackSaid} ({reason})");
        return ok;
    }

    // Everything from the prompt (written by SetPrompt) to the first token in the ring, through our kernels: the layer
    // kernel's counters zeroed, the prefill of `positions` positions (which also sets the decoder's state and seed),
    // the lm_head on the prompt's last position, and the sampler.
    void EnqueuePrefill(int positions, SamplingSpec sampling)
    {
        decoder.ResetLayers();
        prefillKernels!.Enqueue(stream.Handle, positions, decoder.X, decoder.State, decoder.Seed);
        decoder.LmHead(stream.Handle);
        decoder.Sample(stream.Handle, sampling, ring.DevicePointer, ring.Capacity, afterLmHead: true);
    }

    public void Prepare(SamplingSpec sampling)
    {
        if (graphs.ContainsKey(sampling)) return;
        stream.MakeCurrent();
        // The kernels allocate nothing, so no warm-up is needed before capture; the graph reads all its inputs from device memory.
        CudaGraph Steps(int n) => CudaGraph.Capture(stream, () =>
        {
            for (var i = 0; i < n; i++) decoder.Step(stream.Handle, sampling, ring.DevicePointer, ring.Capacity);
        });
        var one = Steps(1);
        graphs[sampling] = new DecodeGraphs(one, stepsPerGraph == 1 ? one : Steps(stepsPerGraph));
        Console.Error.WriteLine($"fused: the decode step is {one.NodeCount} graph nodes, launched {stepsPerGraph} steps a graph");
        foreach (var bucket in PrefillGraphs.BucketsUpTo(prefillKernelsUpTo))
            prefillKernelGraphs[(bucket, sampling)] = CudaGraph.Capture(stream, () => EnqueuePrefill(bucket, sampling));
    }

    public int[] Generate(int[] prompt, int newTokens, SamplingSpec sampling, long seed, Action<int, int>? onToken = null)
    {
        var decode = StartGeneration(prompt, newTokens, sampling, seed);
        var generated = new int[newTokens];
        var launched = 1;
        for (var i = 0; i < newTokens; i++)
        {
            while (launched < newTokens && launched <= i + StepsInFlight)
            {
                var steps = StepsInNextGraph(launched, newTokens, stepsPerGraph);
                (steps == 1 ? decode.OneStep : decode.Steps).Launch();
                launched += steps;
            }
            generated[i] = AwaitToken(i);
            onToken?.Invoke(i, generated[i]);
        }
        stream.Synchronize();
        return generated;
    }

    /// <summary>
    /// A generation's start: the request checked, the ring cleared for its <paramref name="newTokens"/> tokens, and
    /// everything up to the first token enqueued (the prompt's keys and values into the cache, its last logits sampled
    /// by our kernel). Returns the sampling's decode graphs.
    /// </summary>
    internal DecodeGraphs StartGeneration(int[] prompt, int newTokens, SamplingSpec sampling, long seed)
    {
        CheckRequest(model.Config, prompt, newTokens);
        Prepare(sampling);
        stream.MakeCurrent();
        ring.Clear(newTokens);
        if (prompt.Length <= prefillKernelsUpTo)
            RunPrefillKernels(prompt, sampling, seed);
        else
            using (NewDisposeScope())
            {
                decoder.Start(prompt.Length - 1);
                decoder.Seed.fill_(Sampling.Sampler.SeedValue(seed));
                if (!torchPrefill!.TryRun(prompt, PrefillKey))
                    decoder.Logits.copy_(model.Prefill(Tokens(prompt, model.Device), cache));
                decoder.Sample(stream.Handle, sampling, ring.DevicePointer, ring.Capacity, afterLmHead: false);
            }
        return graphs[sampling];
    }

    /// <summary>Token <paramref name="index"/> of the generation, once the GPU has written it into the host's ring.</summary>
    internal int AwaitToken(int index) => ring.WaitFor(index, stream, TokenTimeout);

    /// <summary>The stream all of the engine's work runs on (check-kernels times its first token with events on it).</summary>
    internal CudaStream Stream => stream;

    /// <summary>
    /// How many decode steps the next graph runs, with <paramref name="launched"/> of a generation's
    /// <paramref name="newTokens"/> tokens launched (the first comes from the prefill): a whole graph of
    /// <paramref name="stepsPerGraph"/> while that many are left, else one, so no step runs past the request.
    /// </summary>
    internal static int StepsInNextGraph(int launched, int newTokens, int stepsPerGraph) =>
        newTokens - launched >= stepsPerGraph ? stepsPerGraph : 1;

    /// <summary>Steps a decode graph runs: <paramref name="value"/> (the environment's), or the default where it is unset.</summary>
    internal static int StepsPerGraph(string? value) => WholeNumberSetting.Parse(StepsPerGraphVariable, value, DefaultStepsPerGraph, 1,
        MostStepsPerGraph, $"a whole number from 1 to {MostStepsPerGraph}");

    /// <summary>A sampling's decode graphs: one step, and the engine's steps a graph.</summary>
    internal sealed record DecodeGraphs(CudaGraph OneStep, CudaGraph Steps);

    // The graph of the prompt's bucket, or (longer than every bucket) the same launches unpadded: the host only writes
    // the prompt into mapped memory and launches.
    void RunPrefillKernels(int[] prompt, SamplingSpec sampling, long seed)
    {
        var bucket = PrefillGraphs.BucketFor(prompt.Length, model.Config.NPositions);
        prefillKernels!.SetPrompt(prompt, bucket == 0 ? prompt.Length : bucket, Sampling.Sampler.SeedValue(seed));
        if (bucket == 0) EnqueuePrefill(prompt.Length, sampling);
        else prefillKernelGraphs[(bucket, sampling)].Launch();
    }

    public void Dispose()
    {
        stream.Synchronize();
        foreach (var graph in graphs.Values.SelectMany(g => new[] { g.OneStep, g.Steps }).Distinct().Concat(prefillKernelGraphs.Values)) graph.Dispose();
        prefillKernels?.Dispose();
        torchPrefill?.Dispose();
        ring.Dispose();
        decoder.Dispose();
        weights.Dispose();
        cache.Dispose();
        stream.Dispose();
    }
}
