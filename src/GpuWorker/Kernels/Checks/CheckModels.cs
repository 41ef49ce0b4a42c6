using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>
/// What the checks run: random GPT-2 weights with perturbed biases and LayerNorms, the fp32 reference's weights as the
/// kernels see them, and the sampling of the engine ladder (experiments/engine-ladder.yaml, fused.yaml).
/// </summary>
static class CheckModels
{
    /// <summary>Top-50 at temperature 0.5, as the ladder samples (GPU-NOTES.md's anchors).</summary>
    public static readonly SamplingSpec LadderSampling = new(Greedy: false, Temperature: 0.5, TopK: 50);

    /// <summary>
    /// Random bf16 GPT-2 weights; GPT-2's initialization has zero biases and unit LayerNorms, so those are perturbed, so that
    /// a bias added in the wrong place (or twice) shows.
    /// </summary>
    public static Gpt2 PerturbedModel(Gpt2Config c)
    {
        var model = Gpt2.Random(c, 7, ScalarType.BFloat16, CUDA);
        foreach (var (name, t) in model.Weights)
            if (name.EndsWith(".bias") || name.Contains("ln_"))
                t.add_(randn_like(t).mul_(0.1));
        return model;
    }

    /// <summary>The model's weights with every matrix and embedding as the kernels see it (bf16 or int8, dequantized), in HF's layout.</summary>
    public static Dictionary<string, Tensor> ReferenceWeights(Gpt2 model, FusedWeights w)
    {
        var weights = model.Weights.ToDictionary(kv => kv.Key, kv => kv.Value);
        weights["wte.weight"] = FusedWeights.Dequantize(w.Wte);
        weights["wpe.weight"] = FusedWeights.Dequantize(w.Wpe);
        for (var i = 0; i < w.Layers.Count; i++)
        {
            var l = w.Layers[i];
            weights[$"h.{i}.attn.c_attn.weight"] = FusedWeights.Dequantize(l.Attn).t();
            weights[$"h.{i}.attn.c_proj.weight"] = FusedWeights.Dequantize(l.AttnProj).t();
            weights[$"h.{i}.mlp.c_fc.weight"] = FusedWeights.Dequantize(l.Fc).t();
            weights[$"h.{i}.mlp.c_proj.weight"] = FusedWeights.Dequantize(l.MlpProj).t();
        }
        return weights;
    }
}
