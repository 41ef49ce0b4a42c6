using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Model;

public class Gpt2Tests
{
    static readonly Gpt2Config Tiny = Presets.All["tiny"];

    public Gpt2Tests() => TorchRuntime.Initialize();

    static Tensor Ids(params long[] ids) => tensor(ids);

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Random_weights_follow_the_HF_layout_and_a_seed_fixes_them()
    {
        using var a = Gpt2.Random(Tiny, seed: 1, ScalarType.Float32, CPU);
        using var b = Gpt2.Random(Tiny, seed: 1, ScalarType.Float32, CPU);
        using var c = Gpt2.Random(Tiny, seed: 2, ScalarType.Float32, CPU);

        Assert.Equal(Gpt2.Layout(Tiny).Select(l => l.Name).Order(), a.Weights.Keys.Order());
        foreach (var (name, shape) in Gpt2.Layout(Tiny))
        {
            Assert.Equal(shape, a.Weights[name].shape);
            Assert.True(Same(a.Weights[name], b.Weights[name]), name);
        }
        Assert.Equal(new long[] { 128, 384 }, a.Weights["h.1.attn.c_attn.weight"].shape);
        Assert.False(Same(a.Weights["wte.weight"], c.Weights["wte.weight"]));
        Assert.Equal(Tiny.ParameterCount * 4, a.WeightBytes);
        Assert.InRange(a.Weights["h.0.mlp.c_fc.weight"].std().item<float>(), 0.019, 0.021);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_in_every_dtype()
    {
        using var fp32 = Gpt2.Random(Tiny, seed: 5, ScalarType.Float32, CPU);
        using var bf16 = Gpt2.Random(Tiny, seed: 5, ScalarType.BFloat16, CPU);
        Assert.Equal(ScalarType.BFloat16, bf16.Weights["wte.weight"].dtype);
        using var cast = fp32.Weights["h.1.mlp.c_proj.weight"].to(ScalarType.BFloat16);
        Assert.True(Same(cast, bf16.Weights["h.1.mlp.c_proj.weight"]));
        Assert.Equal(Tiny.ParameterCount * 2, bf16.WeightBytes);
    }

    [Fact]
    public void FromWeights_rebuilds_the_same_model_and_names_what_is_wrong()
    {
        using var original = Gpt2.Random(Tiny, seed: 3, ScalarType.Float32, CPU);
        using var copy = Gpt2.FromWeights(Tiny, original.Weights, ScalarType.Float32, CPU);
        using var scope = NewDisposeScope();
        var tokens = Ids(5, 17, 300, 9);
        Assert.True(Same(original.Forward(tokens), copy.Forward(tokens)));

        var missing = original.Weights.Where(w => w.Key != "h.1.ln_2.bias").ToDictionary();
        Assert.Contains("'h.1.ln_2.bias'", Assert.Throws<ArgumentException>(() => Gpt2.FromWeights(Tiny, missing, ScalarType.Float32, CPU)).Message);

        var misshapen = original.Weights.ToDictionary();
        misshapen["h.0.attn.c_attn.weight"] = zeros(384, 128);
        var error = Assert.Throws<ArgumentException>(() => Gpt2.FromWeights(Tiny, misshapen, ScalarType.Float32, CPU)).Message;
        Assert.Contains("'h.0.attn.c_attn.weight' has shape [384, 128], expected [128, 384]", error);

        var extra = original.Weights.ToDictionary();
        extra["lm_head.weight"] = original.Weights["wte.weight"];
        Assert.Contains("lm_head.weight", Assert.Throws<ArgumentException>(() => Gpt2.FromWeights(Tiny, extra, ScalarType.Float32, CPU)).Message);
    }

    [Fact]
    public void Earlier_positions_do_not_see_later_tokens()
    {
        using var model = Gpt2.Random(Tiny, seed: 4, ScalarType.Float32, CPU);
        using var scope = NewDisposeScope();
        var a = model.Forward(Ids(1, 2, 3, 4, 5));
        var b = model.Forward(Ids(1, 2, 3, 999, 7));
        Assert.True(a.narrow(0, 0, 3).allclose(b.narrow(0, 0, 3), rtol: 1e-5, atol: 1e-5));
        Assert.False(a[3].allclose(b[3]));
    }

    public static TheoryData<string> Caches => ["static", "eager"];

    [Theory]
    [MemberData(nameof(Caches))]
    public void Prefill_then_decode_matches_the_full_forward(string kind)
    {
        using var model = Gpt2.Random(Tiny, seed: 6, ScalarType.Float32, CPU);
        using KvCache cache = kind == "static" ? new StaticKvCache(Tiny, ScalarType.Float32, CPU, 64) : new EagerKvCache(Tiny.NLayer);
        using var scope = NewDisposeScope();
        long[] sequence = [11, 22, 33, 44, 55, 66, 77];
        var full = model.Forward(Ids(sequence));

        var prefill = model.Prefill(Ids(sequence[..4]), cache);
        Assert.True(prefill.allclose(full[3], rtol: 1e-4, atol: 1e-4));
        for (int p = 4; p < sequence.Length; p++)
        {
            var decoded = model.Decode(Ids(sequence[p]), Ids(p), cache);
            Assert.True(decoded.allclose(full[p], rtol: 1e-4, atol: 1e-4), $"position {p}");
        }
    }

    [Fact]
    public void Sequences_longer_than_the_context_are_refused()
    {
        using var model = Gpt2.Random(Tiny with { NPositions = 8 }, seed: 0, ScalarType.Float32, CPU);
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => model.Forward(arange(9, ScalarType.Int64)));
    }
}
