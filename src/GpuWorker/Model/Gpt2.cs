using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Model;

/// <summary>
/// GPT-2 at batch size 1, in the spirit of nanoGPT: pre-LN blocks, tanh-approximated GELU, causal
/// attention, final ln_f, lm_head tied to wte. Weights keep HF's names and layout (Conv1D: y = x @ W + b),
/// so real checkpoints load by name. Activations are [T, C] (no batch dimension); attention runs on
/// [1, H, T, D] so that the fused attention kernels apply.
/// </summary>
public sealed class Gpt2 : IDisposable
{
    public Gpt2Config Config { get; }
    public ScalarType Dtype { get; }
    public Device Device { get; }
    public IReadOnlyDictionary<string, Tensor> Weights { get; }

    /// <summary>Bytes of all weights; the tied embedding is one tensor, counted once.</summary>
    public long WeightBytes { get; }

    readonly Tensor wte, wpe, lnFWeight, lnFBias;
    readonly Block[] blocks;

    sealed record Block(
        Tensor Ln1Weight, Tensor Ln1Bias, Tensor AttnWeight, Tensor AttnBias, Tensor AttnProjWeight, Tensor AttnProjBias,
        Tensor Ln2Weight, Tensor Ln2Bias, Tensor FcWeight, Tensor FcBias, Tensor MlpProjWeight, Tensor MlpProjBias);

    Gpt2(Gpt2Config config, Dictionary<string, Tensor> weights, ScalarType dtype, Device device)
    {
        Config = config;
        Dtype = dtype;
        Device = device;
        foreach (var weight in weights.Values)
            weight.DetachFromDisposeScope(); // the model owns its weights, whatever scope built it
        Weights = weights;
        WeightBytes = weights.Values.Sum(w => w.NumberOfElements * w.ElementSize);
        wte = weights["wte.weight"];
        wpe = weights["wpe.weight"];
        lnFWeight = weights["ln_f.weight"];
        lnFBias = weights["ln_f.bias"];
        blocks = Enumerable.Range(0, config.NLayer).Select(i =>
        {
            Tensor W(string name) => weights[$"h.{i}.{name}"];
            return new Block(
                W("ln_1.weight"), W("ln_1.bias"), W("attn.c_attn.weight"), W("attn.c_attn.bias"), W("attn.c_proj.weight"), W("attn.c_proj.bias"),
                W("ln_2.weight"), W("ln_2.bias"), W("mlp.c_fc.weight"), W("mlp.c_fc.bias"), W("mlp.c_proj.weight"), W("mlp.c_proj.bias"));
        }).ToArray();
    }

    /// <summary>Every weight's HF name and shape, in checkpoint order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Layout(Gpt2Config c)
    {
        long C = c.NEmbd;
        var layout = new List<(string, long[])> { ("wte.weight", [c.VocabSize, C]), ("wpe.weight", [c.NPositions, C]) };
        for (int i = 0; i < c.NLayer; i++)
            layout.AddRange([
                ($"h.{i}.ln_1.weight", [C]), ($"h.{i}.ln_1.bias", [C]),
                ($"h.{i}.attn.c_attn.weight", [C, 3 * C]), ($"h.{i}.attn.c_attn.bias", [3 * C]),
                ($"h.{i}.attn.c_proj.weight", [C, C]), ($"h.{i}.attn.c_proj.bias", [C]),
                ($"h.{i}.ln_2.weight", [C]), ($"h.{i}.ln_2.bias", [C]),
                ($"h.{i}.mlp.c_fc.weight", [C, 4 * C]), ($"h.{i}.mlp.c_fc.bias", [4 * C]),
                ($"h.{i}.mlp.c_proj.weight", [4 * C, C]), ($"h.{i}.mlp.c_proj.bias", [C])]);
        layout.AddRange([("ln_f.weight", [C]), ("ln_f.bias", [C])]);
        return layout;
    }

    /// <summary>
    /// GPT-2's initialization: N(0, 0.02) for matrices and embeddings (residual projections scaled by
    /// 1/sqrt(2 * n_layer)), zero biases, unit layer norms. Drawn on the CPU in fp32 from one generator, so
    /// a seed gives the same weights on every device, then cast and moved.
    /// </summary>
    public static Gpt2 Random(Gpt2Config config, long seed, ScalarType dtype, Device device)
    {
        using var generator = new Generator(unchecked((ulong)seed), CPU);
        var weights = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in Layout(config))
        {
            using var cpu = name.EndsWith(".bias") ? zeros(shape)
                : name.Contains(".ln_") || name.StartsWith("ln_f") ? ones(shape)
                : randn(shape, generator: generator).mul_(name.EndsWith("c_proj.weight") ? 0.02 / Math.Sqrt(2.0 * config.NLayer) : 0.02);
            weights[name] = cpu.to(dtype, device);
        }
        return new Gpt2(config, weights, dtype, device);
    }

    /// <summary>Takes HF-named weights (the caller keeps ownership of the given tensors); every name and shape is checked.</summary>
    public static Gpt2 FromWeights(Gpt2Config config, IReadOnlyDictionary<string, Tensor> weights, ScalarType dtype, Device device)
    {
        var layout = Layout(config);
        var unexpected = weights.Keys.Except(layout.Select(l => l.Name)).ToList();
        if (unexpected.Count > 0)
            throw new ArgumentException($"unexpected GPT-2 weight(s): {string.Join(", ", unexpected.Take(5))}");
        foreach (var (name, shape) in layout)
        {
            if (!weights.TryGetValue(name, out var given))
                throw new ArgumentException($"missing GPT-2 weight '{name}' (expected shape [{string.Join(", ", shape)}])");
            if (!given.shape.SequenceEqual(shape))
                throw new ArgumentException($"GPT-2 weight '{name}' has shape [{string.Join(", ", given.shape)}], expected [{string.Join(", ", shape)}]");
        }
        return new Gpt2(config, layout.ToDictionary(l => l.Name, l => weights[l.Name].to(dtype, device, copy: true)), dtype, device);
    }

    /// <summary>Logits [T, V] for every position of <paramref name="tokens"/> [T] (int64), without a cache.</summary>
    public Tensor Forward(Tensor tokens) => Logits(Sequence(tokens, cache: null));

    /// <summary>Runs the prompt [T], stores its keys and values in <paramref name="cache"/>; returns the last position's logits [V].</summary>
    public Tensor Prefill(Tensor tokens, KvCache cache)
    {
        var hidden = Sequence(tokens, cache);
        return Logits(hidden[-1]);
    }

    /// <summary>
    /// The prefill of a prompt padded to a fixed length: logits [V] at <paramref name="last"/> ([1] int64 on the
    /// device), the prompt's real last position. Causal attention keeps the padding from touching the real
    /// positions, and decode overwrites the padding's cache slots before reading them, so one captured graph
    /// per padded length serves every prompt up to it.
    /// </summary>
    public Tensor Prefill(Tensor tokens, KvCache cache, Tensor last)
    {
        var hidden = Sequence(tokens, cache);
        return Logits(hidden.index_select(0, last)[0]);
    }

    /// <summary>
    /// One step: <paramref name="token"/> [1] at <paramref name="position"/> [1] (both int64 on the device),
    /// attending to the cache; returns logits [V]. Shapes never depend on the position, so a static cache
    /// makes this step capturable into a CUDA graph.
    /// </summary>
    public Tensor Decode(Tensor token, Tensor position, KvCache cache)
    {
        var mask = cache.AttentionMask(position);
        var x = wte.index_select(0, token).add_(wpe.index_select(0, position));
        for (int i = 0; i < blocks.Length; i++)
        {
            int layer = i;
            x = ApplyBlock(blocks[i], x, (q, k, v) =>
            {
                var (keys, values) = cache.Append(layer, k, v, position);
                return nn.functional.scaled_dot_product_attention(q, keys, values, mask);
            });
        }
        return Logits(x[0]);
    }

    Tensor Sequence(Tensor tokens, KvCache? cache)
    {
        var T = tokens.shape[0];
        if (T > Config.NPositions)
            throw new ArgumentException($"{T} tokens exceed the context of {Config.NPositions}");
        var positions = arange(T, ScalarType.Int64, Device);
        var x = wte.index_select(0, tokens).add_(wpe.index_select(0, positions));
        for (int i = 0; i < blocks.Length; i++)
        {
            int layer = i;
            x = ApplyBlock(blocks[i], x, (q, k, v) =>
            {
                cache?.Store(layer, k, v);
                return nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
            });
        }
        return x;
    }

    // x [T, C] -> x [T, C]; attend maps q, k, v [1, H, T, D] to [1, H, T, D].
    Tensor ApplyBlock(Block b, Tensor x, Func<Tensor, Tensor, Tensor, Tensor> attend)
    {
        long T = x.shape[0], C = Config.NEmbd;
        var qkv = Conv1D(LayerNorm(x, b.Ln1Weight, b.Ln1Bias), b.AttnWeight, b.AttnBias)
            .view(T, 3, Config.NHead, Config.HeadDim).permute(1, 2, 0, 3).unsqueeze(1); // [3, 1, H, T, D]
        var y = attend(qkv[0], qkv[1], qkv[2]).squeeze(0).transpose(0, 1).reshape(T, C);
        x = x.add(Conv1D(y, b.AttnProjWeight, b.AttnProjBias));
        var h = Conv1D(LayerNorm(x, b.Ln2Weight, b.Ln2Bias), b.FcWeight, b.FcBias).gelu(GELU.Approximate.tanh);
        return x.add_(Conv1D(h, b.MlpProjWeight, b.MlpProjBias));
    }

    // HF's Conv1D: y = x @ W + b, W stored [in, out].
    static Tensor Conv1D(Tensor x, Tensor weight, Tensor bias) => addmm(bias, x, weight, beta: 1, alpha: 1);

    Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias) =>
        nn.functional.layer_norm(x, [Config.NEmbd], weight, bias, Config.LayerNormEpsilon);

    // The lm_head is wte, transposed (tied).
    Tensor Logits(Tensor x) => LayerNorm(x, lnFWeight, lnFBias).matmul(wte.t());

    public void Dispose()
    {
        foreach (var weight in Weights.Values)
            weight.Dispose();
    }
}
