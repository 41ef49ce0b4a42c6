using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Engines;

public sealed class EngineTests : IDisposable
{
    static readonly Gpt2Config Tiny = Presets.All["tiny"];
    static readonly int[] Prompt = [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13];
    readonly Gpt2 model;

    public EngineTests()
    {
        TorchRuntime.Initialize();
        model = Gpt2.Random(Tiny, seed: 42, ScalarType.Float32, CPU);
    }

    public void Dispose() => model.Dispose();

    int[] Run(string engine, SamplingSpec sampling, int newTokens = 24, long seed = 9)
    {
        using var e = EngineFactory.Create(engine, model);
        return e.Generate(Prompt, newTokens, sampling, seed);
    }

    [Fact]
    public void Eager_and_static_give_the_same_greedy_tokens_each_the_argmax_of_the_full_forward()
    {
        var eager = Run(EngineNames.Eager, new SamplingSpec());
        var @static = Run(EngineNames.Static, new SamplingSpec());
        Assert.Equal(eager, @static);

        using var scope = NewDisposeScope();
        var sequence = Prompt.Concat(@static).Select(t => (long)t).ToArray();
        var argmax = model.Forward(tensor(sequence)).argmax(1);
        for (int i = 0; i < @static.Length; i++)
            Assert.Equal(argmax[Prompt.Length - 1 + i].item<long>(), @static[i]);
        Assert.True(@static.Distinct().Count() > 1);
    }

    [Fact]
    public void Eager_and_static_draw_the_same_sampled_tokens_for_a_seed()
    {
        var spec = new SamplingSpec(Greedy: false, Temperature: 0.7, TopK: 50);
        var eager = Run(EngineNames.Eager, spec, seed: 5);
        Assert.Equal(eager, Run(EngineNames.Static, spec, seed: 5));
        Assert.NotEqual(eager, Run(EngineNames.Static, spec, seed: 6));
    }

    [Fact]
    public void A_static_engine_gives_the_same_tokens_when_reused_and_reports_each_token_once_in_order()
    {
        using var engine = EngineFactory.Create(EngineNames.Static, model);
        var seen = new List<(int Index, int Token)>();
        var first = engine.Generate(Prompt, 12, new SamplingSpec(), 0, (i, t) => seen.Add((i, t)));
        engine.Generate(Prompt[..3], 30, new SamplingSpec(Greedy: false), 1); // leaves other keys and values in the cache
        Assert.Equal(first, engine.Generate(Prompt, 12, new SamplingSpec(), 0));
        Assert.Equal(Enumerable.Range(0, 12), seen.Select(s => s.Index));
        Assert.Equal(first, seen.Select(s => s.Token));
    }

    [Fact]
    public void Bf16_runs_on_the_cpu()
    {
        using var bf16 = Gpt2.Random(Tiny, seed: 42, ScalarType.BFloat16, CPU);
        using var engine = EngineFactory.Create(EngineNames.Static, bf16);
        var tokens = engine.Generate(Prompt, 6, new SamplingSpec(Greedy: false, Temperature: 1.0, TopK: 10), 1);
        Assert.All(tokens, t => Assert.InRange(t, 0, Tiny.VocabSize - 1));
    }

    [Fact]
    public void Requests_that_do_not_fit_are_refused()
    {
        using var engine = EngineFactory.Create(EngineNames.Static, model);
        Assert.Contains("exceed the context", Assert.Throws<ArgumentException>(() => engine.Generate(Prompt, 1020, new SamplingSpec(), 0)).Message);
        Assert.Throws<ArgumentException>(() => engine.Generate([], 4, new SamplingSpec(), 0));
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => engine.Generate([50257], 4, new SamplingSpec(), 0)).Message);
        // -1 too: the kernels' embedding would read before the table
        Assert.Contains("prompt token -1 is outside", Assert.Throws<ArgumentException>(() => engine.Generate([5, -1], 4, new SamplingSpec(), 0)).Message);
        Assert.Single(engine.Generate([0, model.Config.VocabSize - 1], 1, new SamplingSpec(), 0)); // both ends of the vocabulary are in it
    }

    [Fact]
    public void The_cuda_graph_engine_refuses_a_cpu_model()
    {
        var error = Assert.Throws<ArgumentException>(() => EngineFactory.Create(EngineNames.CudaGraph, model));
        Assert.Contains("needs a CUDA device", error.Message);
    }

    [Fact]
    public void Names_are_parsed_or_refused_clearly()
    {
        Assert.Equal(ScalarType.BFloat16, EngineFactory.ParseDtype("bf16"));
        Assert.Contains("unknown dtype", Assert.Throws<ArgumentException>(() => EngineFactory.ParseDtype("int4")).Message);
        Assert.Equal(ScalarType.BFloat16, EngineFactory.ParseDtype("int8")); // int8 weights keep a bf16 model for the prefill
        Assert.Contains("only on the fused engine", Assert.Throws<ArgumentException>(() => EngineFactory.Create(EngineNames.Static, model, "int8")).Message);
        Assert.Contains("needs a CUDA device", Assert.Throws<ArgumentException>(() => EngineFactory.Create(EngineNames.Fused, model)).Message);
        Assert.Contains("unknown engine", Assert.Throws<ArgumentException>(() => EngineFactory.Create("turbo", model)).Message);
        Assert.Equal(DeviceType.CPU, EngineFactory.ParseDevice("cpu").type);
        Assert.Contains("CUDA libtorch", Assert.Throws<ArgumentException>(() => EngineFactory.ParseDevice("cuda")).Message);
    }
}
