using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// One decode step of GPT-2 as our own kernels: embed, then per layer five launches (LayerNorm+QKV,
/// attention, projection+residual, LayerNorm+MLP up+GELU, MLP down+residual), then ln_f+lm_head and
/// sampling: 5 L + 3 launches, all reading device state (token, position, step, seed), so the step
/// is captured once into a CUDA graph and replayed for every token.
/// </summary>
internal sealed class FusedDecoder : IDisposable
{
    public const int AttentionSlices = 16;
    const uint AttentionThreads = 128, SampleThreads = 1024, EmbedThreads = 256;

    readonly Gpt2Config c;
    readonly FusedWeights w;
    readonly Tensor keysAndValues; // [L, 2, H, T, D] bf16, shared with the model's prefill
    readonly KernelModule gemv, attention, embed, sampling;

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
        gemv = KernelModule.Load("gemv.cu", weights.Define);
        attention = KernelModule.Load("attention.cu", weights.Define);
        embed = KernelModule.Load("embed.cu", weights.Define);
        sampling = KernelModule.Load("sampling.cu", weights.Define);
        Tensor F(long n) => zeros([n], ScalarType.Float32, device).DetachFromDisposeScope();
        X = F(c.NEmbd);
        qkv = F(3L * c.NEmbd);
        att = F(c.NEmbd);
        hidden = F(4L * c.NEmbd);
        Logits = F(c.VocabSize);
        partial = F((long)c.NHead * AttentionSlices * (c.HeadDim + 2));
        counters = zeros([c.NHead], ScalarType.Int32, device).DetachFromDisposeScope();
        State = zeros([3], ScalarType.Int32, device).DetachFromDisposeScope();
        Seed = zeros([1], ScalarType.Int64, device).DetachFromDisposeScope();
        history = zeros([c.NPositions], ScalarType.Int32, device).DetachFromDisposeScope();
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
            attention.Launch("attention_decode", ((uint)c.NHead, AttentionSlices, 1), AttentionThreads, stream, a => a
                .Ptr(Pointers.Of(qkv)).Ptr(keys).Ptr(values).Ptr(state + 4).Ptr(Pointers.Of(partial)).Ptr(Pointers.Of(counters))
                .Ptr(Pointers.Of(att)).Int(c.NHead).Int(c.HeadDim).Int(c.NPositions));
            Gemv("gemv_bias_residual", layer.AttnProj, layer.AttnProjBias, att, null, null, eps, X, C, C, stream);
            Gemv("gemv_ln_bias_gelu", layer.Fc, layer.FcBias, X, layer.Ln2Weight, layer.Ln2Bias, eps, hidden, 4 * C, C, stream);
            Gemv("gemv_bias_residual", layer.MlpProj, layer.MlpProjBias, hidden, null, null, eps, X, C, 4 * C, stream);
        }
        Gemv("gemv_ln", w.Wte, null, X, w.LnFWeight, w.LnFBias, eps, Logits, c.VocabSize, C, stream);
        Sample(stream, sampling, ringDevicePointer, ringCapacity);
    }

    /// <summary>Enqueues only the sampling kernel, over Logits (after a prefill wrote them).</summary>
    public void Sample(IntPtr stream, SamplingSpec spec, IntPtr ringDevicePointer, int ringCapacity) =>
        sampling.Launch("sample_token", (1, 1, 1), SampleThreads, stream, a => a
            .Ptr(Pointers.Of(Logits)).Int(c.VocabSize).Int(spec.Greedy ? 1 : 0).Float((float)(1.0 / spec.Temperature)).Int(spec.TopK)
            .Ptr(Pointers.Of(Seed)).Ptr(Pointers.Of(State)).Ptr(Pointers.Of(history)).Ptr(ringDevicePointer).Int(ringCapacity));

    /// <summary>Blocks and threads of a gemv launch over <paramref name="n"/> rows (gemv.cu: 1 row per warp, 4 for the lm_head).</summary>
    public static ((uint, uint, uint) Grid, uint Threads) GemvShape(string kernel, int n)
    {
        var (threads, rowsPerBlock) = kernel == "gemv_ln" ? (256u, 32u) : (128u, 4u);
        return (((uint)((n + rowsPerBlock - 1) / rowsPerBlock), 1, 1), threads);
    }

    void Gemv(string kernel, FusedWeights.Matrix m, Tensor? bias, Tensor x, Tensor? lnWeight, Tensor? lnBias, float eps, Tensor y, int n, int k, IntPtr stream)
    {
        var (grid, threads) = GemvShape(kernel, n);
        gemv.Launch(kernel, grid, threads, stream, a => a
            .Ptr(m.WeightPointer).Ptr(m.ScalePointer).Ptr(Ptr(bias)).Ptr(Pointers.Of(x)).Ptr(Ptr(lnWeight)).Ptr(Ptr(lnBias))
            .Float(eps).Ptr(Pointers.Of(y)).Int(n).Int(k));
    }

    static IntPtr Ptr(Tensor? t) => t is null ? IntPtr.Zero : Pointers.Of(t);

    public void Dispose()
    {
        foreach (var t in new[] { X, qkv, att, hidden, Logits, partial, counters, State, Seed, history }) t.Dispose();
    }
}
