using GptBench.GpuWorker.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// GPT-2's weights laid out for the decode kernels: every matrix row-major [out, in] (HF stores
/// [in, out]) so a warp streams a whole row with 16-byte loads; bf16, or int8 with one fp32 scale per
/// output row (symmetric, max |w| / 127). Biases and layer-norm parameters in fp32.
/// </summary>
internal sealed class FusedWeights : IDisposable
{
    public sealed record Matrix(Tensor Weight, Tensor? Scale)
    {
        public IntPtr WeightPointer => Pointers.Of(Weight);
        public IntPtr ScalePointer => Scale is null ? IntPtr.Zero : Pointers.Of(Scale);
        public long Bytes => Weight.NumberOfElements * Weight.ElementSize + (Scale?.NumberOfElements * 4 ?? 0);
    }

    public sealed record Layer(Tensor Ln1Weight, Tensor Ln1Bias, Matrix Attn, Tensor AttnBias, Matrix AttnProj, Tensor AttnProjBias,
        Tensor Ln2Weight, Tensor Ln2Bias, Matrix Fc, Tensor FcBias, Matrix MlpProj, Tensor MlpProjBias);

    public bool Int8 { get; }
    public Matrix Wte { get; }
    public Matrix Wpe { get; }
    public Tensor LnFWeight { get; }
    public Tensor LnFBias { get; }
    public IReadOnlyList<Layer> Layers { get; }
    readonly List<Tensor> owned = [];

    public FusedWeights(Gpt2 model, bool int8)
    {
        Int8 = int8;
        using var scope = NewDisposeScope();
        Tensor W(string name) => model.Weights[name];
        Wte = Quantize(W("wte.weight"));
        Wpe = Quantize(W("wpe.weight"));
        LnFWeight = Keep(W("ln_f.weight").to(ScalarType.Float32, copy: true));
        LnFBias = Keep(W("ln_f.bias").to(ScalarType.Float32, copy: true));
        Layers = Enumerable.Range(0, model.Config.NLayer).Select(i =>
        {
            Tensor F(string name) => Keep(W($"h.{i}.{name}").to(ScalarType.Float32, copy: true).contiguous());
            Matrix M(string name) => Quantize(W($"h.{i}.{name}").t());
            return new Layer(F("ln_1.weight"), F("ln_1.bias"), M("attn.c_attn.weight"), F("attn.c_attn.bias"),
                M("attn.c_proj.weight"), F("attn.c_proj.bias"), F("ln_2.weight"), F("ln_2.bias"),
                M("mlp.c_fc.weight"), F("mlp.c_fc.bias"), M("mlp.c_proj.weight"), F("mlp.c_proj.bias"));
        }).ToList();
    }

    /// <summary>Bytes one decode step reads: every matrix once (wte as the lm_head), one row of wpe, the vectors.</summary>
    public long BytesPerToken(Gpt2Config c) =>
        Wte.Bytes + Wpe.Bytes / c.NPositions
        + Layers.Sum(l => l.Attn.Bytes + l.AttnProj.Bytes + l.Fc.Bytes + l.MlpProj.Bytes + 4L * (13L * c.NEmbd))
        + 4L * 2 * c.NEmbd;

    /// <summary>The weight dtype the kernels are compiled for (-D...).</summary>
    public string Define => DefineFor(Int8);

    public static string DefineFor(bool int8) => int8 ? "WEIGHTS_INT8" : "WEIGHTS_BF16";


    Matrix Quantize(Tensor weight)
    {
        var m = ToMatrix(weight, Int8);
        return new Matrix(Keep(m.Weight), m.Scale is null ? null : Keep(m.Scale));
    }

    /// <summary>A weight [out, in] as the kernels read it: a bf16 copy, or int8 with max|row| / 127 as the row's scale.</summary>
    public static Matrix ToMatrix(Tensor weight, bool int8)
    {
        if (!int8) return new Matrix(weight.to(ScalarType.BFloat16, copy: true).contiguous(), null);
        var w = weight.to(ScalarType.Float32);
        var scale = w.abs().amax([1]).clamp_min(1e-12).div_(127.0);
        var q = w.div(scale.unsqueeze(1)).round_().clamp_(-127, 127).to(ScalarType.Int8).contiguous();
        return new Matrix(q, scale.contiguous());
    }

    Tensor Keep(Tensor t)
    {
        t.DetachFromDisposeScope();
        owned.Add(t);
        return t;
    }

    /// <summary>int8 weights back in fp32 ([out, in]): what the kernels compute with, for reference checks.</summary>
    public static Tensor Dequantize(Matrix m) =>
        m.Scale is null ? m.Weight.to(ScalarType.Float32) : m.Weight.to(ScalarType.Float32).mul(m.Scale.unsqueeze(1));

    public void Dispose()
    {
        foreach (var t in owned) t.Dispose();
    }
}

/// <summary>Raw device addresses of tensors, for kernel arguments.</summary>
internal static class Pointers
{
    public static IntPtr Of(Tensor t) => Native.CudaApi.THSTensor_data(t.Handle);
}
