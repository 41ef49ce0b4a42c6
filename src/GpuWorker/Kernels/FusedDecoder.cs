using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// One decode step of GPT-2 as our own kernels: embed, then per layer five launches (LayerNorm+QKV,
/// attention, projection+residual, LayerNorm+MLP up+GELU, MLP down+residual), then ln_f+lm_head and
/// sampling: 5 L + 3 launches, all reading device state (token, position, step, seed), so the step
/// is captured once into a CUDA graph and replayed for every token. Each launch may overlap the end of
/// the one before (programmatic dependent launch), so a kernel reads its weights while its input is
/// still being computed.
/// </summary>
internal sealed class FusedDecoder : IDisposable
{
    public const int AttentionSlices = 16;           // at most attention.cu's MAX_SLICES
    const int MaxSlice = 1024;                       // attention.cu MAX_SLICE
    const uint AttentionThreads = 128, EmbedThreads = 256;
    const int MaxSharedBytes = 48 * 1024; // dynamic shared memory a launch gets without opting in
    static readonly int[] AttentionHeadSizes = [32, 64, 128];

    /// <summary>The 16-byte vectors per lane and row that gemv.cu's per-layer entry points load ahead (their suffixes).</summary>
    public static readonly int[] GemvVectorsPerLane = [2, 4, 8, 12, 16, 24];
    /// <summary>The same for the lm_head's entry points (4 rows per warp).</summary>
    public static readonly int[] LmHeadVectorsPerLane = [2, 4, 8];

    readonly Gpt2Config c;
    readonly FusedWeights w;
    readonly Tensor keysAndValues; // [L, 2, H, T, D] bf16, shared with the model's prefill
    readonly KernelModule gemv, attention, embed;
    readonly TokenSampler sampler;
    readonly string attentionKernel;
    readonly int multiprocessors;

    // Device workspace: activations in fp32, the step's state.
    public Tensor X { get; }
    public Tensor Logits { get; }
    public Tensor State { get; }   // int32 [token, position, step]
    public Tensor Seed { get; }    // int64 [1]
    readonly Tensor qkv, att, hidden, partial, counters, history;

    public FusedDecoder(Gpt2Config config, FusedWeights weights, Tensor keysAndValues, Device device)
    {
        c = config;
        w = weights;
        this.keysAndValues = keysAndValues;
        attentionKernel = AttentionKernel(config);
        multiprocessors = CudaDriver.Multiprocessors();
        gemv = KernelModule.Load("gemv.cu", weights.Define);
        attention = KernelModule.Load("attention.cu", weights.Define);
        embed = KernelModule.Load("embed.cu", weights.Define);
        sampler = new TokenSampler(c.VocabSize, device);
        Tensor F(long n) => zeros([n], ScalarType.Float32, device).DetachFromDisposeScope();
        Tensor I(long n, ScalarType type = ScalarType.Int32) => zeros([n], type, device).DetachFromDisposeScope();
        X = F(c.NEmbd);
        qkv = F(3L * c.NEmbd);
        att = F(c.NEmbd);
        hidden = F(4L * c.NEmbd);
        Logits = F(c.VocabSize);
        partial = F((long)c.NHead * AttentionSlices * (c.HeadDim + 2));
        counters = I(c.NHead);
        State = I(3);
        Seed = I(1, ScalarType.Int64);
        history = I(c.NPositions);
    }

    /// <summary>attention.cu's entry point for the model's head size; other shapes are refused before anything runs.</summary>
    public static string AttentionKernel(Gpt2Config config)
    {
        if (!AttentionHeadSizes.Contains(config.HeadDim))
            throw new ArgumentException($"the fused engine's attention supports head sizes {string.Join(", ", AttentionHeadSizes)}; this model's is {config.HeadDim}");
        if ((config.NPositions + AttentionSlices - 1) / AttentionSlices > MaxSlice)
            throw new ArgumentException($"the fused engine's attention supports contexts up to {AttentionSlices * MaxSlice} positions; this model's is {config.NPositions}");
        return $"attention_decode_{config.HeadDim}";
    }

    /// <summary>Enqueues one whole step on <paramref name="stream"/>: the token in State at its position to the next token.</summary>
    public void Step(IntPtr stream, SamplingSpec sampling, IntPtr ringDevicePointer, int ringCapacity)
    {
        var C = c.NEmbd;
        var eps = (float)c.LayerNormEpsilon;
        var state = Pointers.Of(State);
        embed.Launch("embed", ((uint)((C + EmbedThreads - 1) / EmbedThreads), 1, 1), EmbedThreads, stream, a => a
            .Ptr(w.Wte.WeightPointer).Ptr(w.Wte.ScalePointer).Ptr(w.Wpe.WeightPointer).Ptr(w.Wpe.ScalePointer)
            .Ptr(state).Ptr(state + 4).Ptr(Pointers.Of(X)).Int(C));
        var layerStride = 2L * c.NHead * c.NPositions * c.HeadDim * 2; // bytes of one layer's keys + values (bf16)
        var cacheBase = Pointers.Of(keysAndValues);
        for (var l = 0; l < c.NLayer; l++)
        {
            var layer = w.Layers[l];
            var keys = cacheBase + (nint)(l * layerStride);
            var values = keys + (nint)(layerStride / 2);
            Gemv("gemv_ln_bias", layer.Attn, layer.AttnBias, X, layer.Ln1Weight, layer.Ln1Bias, eps, qkv, 3 * C, C, stream);
            attention.Launch(attentionKernel, ((uint)c.NHead, AttentionSlices, 1), AttentionThreads, stream, a => a
                .Ptr(Pointers.Of(qkv)).Ptr(keys).Ptr(values).Ptr(state + 4).Ptr(Pointers.Of(partial)).Ptr(Pointers.Of(counters))
                .Ptr(Pointers.Of(att)).Int(c.NHead).Int(c.NPositions));
            Gemv("gemv_bias_residual", layer.AttnProj, layer.AttnProjBias, att, null, null, eps, X, C, C, stream);
            Gemv("gemv_ln_bias_gelu", layer.Fc, layer.FcBias, X, layer.Ln2Weight, layer.Ln2Bias, eps, hidden, 4 * C, C, stream);
            Gemv("gemv_bias_residual", layer.MlpProj, layer.MlpProjBias, hidden, null, null, eps, X, C, 4 * C, stream);
        }
        Gemv("gemv_ln", w.Wte, null, X, w.LnFWeight, w.LnFBias, eps, Logits, c.VocabSize, C, stream);
        Sample(stream, sampling, ringDevicePointer, ringCapacity);
    }

    /// <summary>Enqueues only the sampling kernel, over Logits (after a prefill wrote them).</summary>
    public void Sample(IntPtr stream, SamplingSpec spec, IntPtr ringDevicePointer, int ringCapacity) =>
        sampler.Launch(stream, spec, Logits, Seed, State, history, ringDevicePointer, ringCapacity);

    /// <summary>
    /// How gemv.cu runs <paramref name="kernel"/> over an [n, k] matrix whose 16-byte vectors hold
    /// <paramref name="vectorElements"/> weights on a GPU of <paramref name="multiprocessors"/> SMs: the entry
    /// point (the smallest look-ahead that holds a lane's share of a row, else the largest, which loops),
    /// blocks, threads, and the shared memory for x (and LayerNorm's gain and bias). A per-layer matrix gets
    /// about one block per SM (a warp a row, 4..16 warps a block); the lm_head 32 rows a block.
    /// </summary>
    public static (string Name, (uint, uint, uint) Grid, uint Threads, uint SharedBytes) GemvLaunch(string kernel, int n, int k, int vectorElements, int multiprocessors)
    {
        var lmHead = kernel == "gemv_ln";
        var rowsPerBlock = lmHead ? 32 : Math.Clamp((n + multiprocessors - 1) / multiprocessors, 4, 16);
        var threads = lmHead ? 256u : 32u * (uint)rowsPerBlock;
        var sizes = lmHead ? LmHeadVectorsPerLane : GemvVectorsPerLane;
        var perLane = (k / vectorElements + 31) / 32;
        var size = sizes.FirstOrDefault(v => v >= perLane, sizes[^1]);
        var shared = 4 * k * (kernel.StartsWith("gemv_ln", StringComparison.Ordinal) ? 3 : 1); // x, and LayerNorm's gain and bias
        if (shared > MaxSharedBytes)
            throw new ArgumentException($"the fused engine's {kernel} holds at most {MaxSharedBytes} bytes of inputs in shared memory; {n}x{k} needs {shared}");
        return ($"{kernel}_{size}", ((uint)((n + rowsPerBlock - 1) / rowsPerBlock), 1, 1), threads, (uint)shared);
    }

    void Gemv(string kernel, FusedWeights.Matrix m, Tensor? bias, Tensor x, Tensor? lnWeight, Tensor? lnBias, float eps, Tensor y, int n, int k, IntPtr stream)
    {
        var (name, grid, threads, shared) = GemvLaunch(kernel, n, k, w.VectorElements, multiprocessors);
        gemv.Launch(name, grid, threads, stream, a => a
            .Ptr(m.WeightPointer).Ptr(m.ScalePointer).Ptr(Ptr(bias)).Ptr(Pointers.Of(x)).Ptr(Ptr(lnWeight)).Ptr(Ptr(lnBias))
            .Float(eps).Ptr(Pointers.Of(y)).Int(n).Int(k), shared);
    }

    static IntPtr Ptr(Tensor? t) => t is null ? IntPtr.Zero : Pointers.Of(t);

    public void Dispose()
    {
        sampler.Dispose();
        foreach (var t in new[] { X, qkv, att, hidden, Logits, partial, counters, State, Seed, history }) t.Dispose();
    }
}
