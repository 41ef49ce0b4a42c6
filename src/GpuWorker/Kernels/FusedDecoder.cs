using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// One decode step of GPT-2 as our own kernels: every layer in one persistent kernel (layers.cu), or embed
/// and per layer five launches (LayerNorm+QKV, attention, projection+residual, LayerNorm+MLP up+GELU, MLP
/// down+residual); then ln_f+lm_head and sampling. Every launch reads device state (token, position, step,
/// seed), so the step is captured once into a CUDA graph and replayed for every token. Each launch may overlap the end of
/// the one before (programmatic dependent launch), so a kernel reads its weights while its input is
/// still being computed.
/// </summary>
internal sealed class FusedDecoder : IDisposable
{
    const uint EmbedThreads = 256;

    readonly Gpt2Config c;
    readonly FusedWeights w;
    readonly Tensor keysAndValues; // [L, 2, H, T, D] bf16, shared with the model's prefill
    readonly GemvKernel gemv;
    readonly LayerKernel? layers;        // every layer in one persistent kernel, or
    readonly PerLayerKernels? perLayer;  // five launches a layer: exactly one of the two is set
    readonly TokenSampler sampler;

    /// <summary>What five launches a layer need besides the lm_head and the sampler.</summary>
    sealed class PerLayerKernels(Gpt2Config c, FusedWeights w, Device device) : IDisposable
    {
        public KernelModule Embed { get; } = KernelModule.Load("embed.cu", w.Define);
        public AttentionKernel Attention { get; } = new(c, device);
        public Tensor Qkv { get; } = zeros([3L * c.NEmbd], ScalarType.Float32, device).DetachFromDisposeScope();
        public Tensor Att { get; } = zeros([c.NEmbd], ScalarType.Float32, device).DetachFromDisposeScope();
        public Tensor Hidden { get; } = zeros([4L * c.NEmbd], ScalarType.Float32, device).DetachFromDisposeScope();

        public void Dispose()
        {
            Attention.Dispose();
            Qkv.Dispose();
            Att.Dispose();
            Hidden.Dispose();
        }
    }

    // Device workspace: activations in fp32, the step's state.
    public Tensor X { get; }
    public Tensor Logits { get; }
    public Tensor State { get; }   // int32 [token, position, step]
    public Tensor Seed { get; }    // int64 [1]
    readonly Tensor history;
    readonly Tensor blockKeys;     // int64 [3 x lm_head blocks]: each block's best logits as sampler keys (TokenSampler.BlockKeys)
    readonly LayerKernel.FoldedNorm lmHeadNorm; // ln_f folded into the lm_head (gemv.cu's gemv_ln)

    public FusedDecoder(Gpt2Config config, FusedWeights weights, Tensor keysAndValues, Device device, bool persistentLayers)
    {
        c = config;
        w = weights;
        this.keysAndValues = keysAndValues;
        if (persistentLayers)
            layers = new LayerKernel(config, weights, device);
        else
            perLayer = new PerLayerKernels(config, weights, device);
        gemv = new GemvKernel(weights.Int8);
        sampler = new TokenSampler(c.VocabSize, device);
        Tensor F(long n) => zeros([n], ScalarType.Float32, device).DetachFromDisposeScope();
        Tensor I(long n, ScalarType type = ScalarType.Int32) => zeros([n], type, device).DetachFromDisposeScope();
        X = F(c.NEmbd);
        Logits = F(c.VocabSize);
        State = I(3);
        Seed = I(1, ScalarType.Int64);
        history = I(c.NPositions);
        blockKeys = I(TokenSampler.BlockKeyCount(c.VocabSize, GemvKernel.LmHeadRowsPerBlock), ScalarType.Int64);
        lmHeadNorm = LayerKernel.FoldNorm(w.Wte, null, w.LnFWeight, w.LnFBias);
    }

    /// <summary>The persistent layer kernel, or null when the layers run as five launches each.</summary>
    public LayerKernel? Layers => layers;

    /// <summary>Before a generation's first step: the token and position state (the sampler sets the token), and the layer kernel's counters.</summary>
    public void Start(int position)
    {
        State.copy_(tensor(new[] { 0, position, 0 }, ScalarType.Int32));
        ResetLayers();
    }

    /// <summary>Enqueues the zeroing of the layer kernel's counters (a prefill through PrefillKernels sets the state itself).</summary>
    public void ResetLayers() => layers?.Reset();

    /// <summary>Enqueues one whole step on <paramref name="stream"/>: the token in State at its position to the next token.</summary>
    public void Step(IntPtr stream, SamplingSpec sampling, IntPtr ringDevicePointer, int ringCapacity)
    {
        RunLayers(stream);
        LmHead(stream);
        Sample(stream, sampling, ringDevicePointer, ringCapacity, afterLmHead: true);
    }

    /// <summary>Enqueues every layer for the token and position in State, leaving the last layer's output in X.</summary>
    public void RunLayers(IntPtr stream)
    {
        if (layers is not null)
            layers.Launch(stream, State, X, Pointers.Of(keysAndValues));
        else
            LaunchLayersOneByOne(stream, perLayer!);
    }

    /// <summary>
    /// Enqueues ln_f and the lm_head: Logits from the residual row in X (a step's last layer, or a prefill's last
    /// position), and each lm_head block's best logit as a sampler key, for the sampler's one-block draw.
    /// </summary>
    public void LmHead(IntPtr stream) =>
        gemv.Launch(stream, GemvKernel.LmHead, w.Wte, lmHeadNorm.Bias, X, w.LnFWeight, null, (float)c.LayerNormEpsilon, Logits, c.VocabSize,
            c.NEmbd, blockKeys, lmHeadNorm.GainSum);

    /// <summary>The embedding, then five launches a layer, leaving the last layer's output in X.</summary>
    void LaunchLayersOneByOne(IntPtr stream, PerLayerKernels p)
    {
        var C = c.NEmbd;
        var eps = (float)c.LayerNormEpsilon;
        var state = Pointers.Of(State);
        p.Embed.Launch("embed", ((uint)((C + EmbedThreads - 1) / EmbedThreads), 1, 1), EmbedThreads, stream, a => a
            .Ptr(w.Wte.WeightPointer).Ptr(w.Wte.ScalePointer).Ptr(w.Wpe.WeightPointer).Ptr(w.Wpe.ScalePointer)
            .Ptr(state).Ptr(state + 4).Ptr(Pointers.Of(X)).Int(C));
        var layerStride = 2L * c.NHead * c.NPositions * c.HeadDim * 2; // bytes of one layer's keys + values (bf16)
        var cacheBase = Pointers.Of(keysAndValues);
        for (var l = 0; l < c.NLayer; l++)
        {
            var layer = w.Layers[l];
            var keys = cacheBase + (nint)(l * layerStride);
            var values = keys + (nint)(layerStride / 2);
            Gemv("gemv_ln_bias", layer.Attn, layer.AttnBias, X, layer.Ln1Weight, layer.Ln1Bias, eps, p.Qkv, 3 * C, C, stream);
            p.Attention.Launch(stream, p.Qkv, keys, values, state + 4, p.Att);
            Gemv("gemv_bias_residual", layer.AttnProj, layer.AttnProjBias, p.Att, null, null, eps, X, C, C, stream);
            Gemv("gemv_ln_bias_gelu", layer.Fc, layer.FcBias, X, layer.Ln2Weight, layer.Ln2Bias, eps, p.Hidden, 4 * C, C, stream);
            Gemv("gemv_bias_residual", layer.MlpProj, layer.MlpProjBias, p.Hidden, null, null, eps, X, C, 4 * C, stream);
        }
    }

    /// <summary>
    /// Enqueues only the sampling kernel, over Logits (after a prefill wrote them). <paramref name="afterLmHead"/>:
    /// Logits come from <see cref="LmHead"/>, whose block keys the sampler may then use (not where they were copied in
    /// from elsewhere, as from a prefill through TorchSharp).
    /// </summary>
    public void Sample(IntPtr stream, SamplingSpec spec, IntPtr ringDevicePointer, int ringCapacity, bool afterLmHead) =>
        sampler.Launch(stream, spec, Logits, Seed, State, history, ringDevicePointer, ringCapacity,
            afterLmHead ? blockKeys : null, GemvKernel.LmHeadRowsPerBlock);

    void Gemv(string kernel, FusedWeights.Matrix m, Tensor? bias, Tensor x, Tensor? lnWeight, Tensor? lnBias, float eps, Tensor y, int n, int k, IntPtr stream) =>
        gemv.Launch(stream, kernel, m, bias, x, lnWeight, lnBias, eps, y, n, k);

    public void Dispose()
    {
        sampler.Dispose();
        layers?.Dispose();
        perLayer?.Dispose();
        lmHeadNorm.Dispose();
        foreach (var t in new[] { X, Logits, State, Seed, history, blockKeys }) t.Dispose();
    }
}
