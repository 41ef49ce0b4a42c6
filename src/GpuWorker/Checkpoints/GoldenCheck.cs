using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>
/// How one golden case went: the prompt's logits against HF fp32 (<see cref="LogitsCheck"/>); greedy and cache
/// prefixes, the leading steps whose argmax is the golden token; and the KV-cache path's logits against our own full
/// forward pass, by the same relative L2 error.
/// </summary>
public sealed record GoldenCaseResult(
    string Name, int Steps, LogitsCheck Logits, int GreedyPrefix, int CachePrefix, double CacheError,
    double CacheTolerance, bool GreedyRequired)
{
    public bool Passed =>
        Logits.Passed && CacheError <= CacheTolerance
        && (!GreedyRequired || (GreedyPrefix == Steps && CachePrefix == Steps));

    public override string ToString() =>
        $"{(Passed ? "ok  " : "FAIL")} {Name}: {Logits}, greedy {GreedyPrefix}/{Steps}, "
        + $"KV-cache greedy {CachePrefix}/{Steps}, KV-cache vs full forward {CacheError:E1} (tolerance {CacheTolerance:E0})";
}

/// <summary>An engine's greedy generation from a golden prompt: how many leading tokens are the golden ones.</summary>
public sealed record GoldenEngineResult(string Engine, string Name, int Steps, int Agreed, bool Required)
{
    public bool Passed => !Required || Agreed == Steps;

    public override string ToString() => $"{(Passed ? "ok  " : "FAIL")} {Engine} engine, {Name}: greedy {Agreed}/{Steps}";
}

/// <summary>
/// Checks a model against a golden file: the logits of the prompt; then, step by step along the golden greedy
/// continuation, that the argmax of a full-sequence forward pass is the golden token, and that the KV-cache path
/// (prefill, then one decode step per token over a static cache) gives the logits of the full forward pass.
/// Following the golden tokens rather than our own keeps every step comparable even after a disagreement.
/// </summary>
public static class GoldenCheck
{
    /// <summary>
    /// The KV-cache path against our own full forward pass in half precision: two bf16 computations, each about 1e-2
    /// from the truth on the golden weights (on tiny they differ by about 9e-3), so the bound leaves them room; fp32,
    /// held to 1e-4, is where subtle cache faults show.
    /// </summary>
    public const double HalfCacheTolerance = 1e-1;

    public static IReadOnlyList<GoldenCaseResult> Run(Gpt2 model, GoldenFile golden)
    {
        if (model.Config != golden.Config)
            throw new ArgumentException($"the model's config {model.Config} is not the golden file's {golden.Config}");
        using var _ = no_grad();
        return golden.Cases.Select(c => RunCase(model, c)).ToList();
    }

    /// <summary>
    /// The engine's own greedy generation (its cache, its graphs) from every golden prompt. Required to match in
    /// fp32; in half precision it is reported against the bf16 golden where there is one.
    /// </summary>
    public static IReadOnlyList<GoldenEngineResult> RunEngine(IEngine engine, GoldenFile golden)
    {
        var fp32 = engine.Model.Dtype == ScalarType.Float32;
        engine.Prepare(new SamplingSpec(Greedy: true));
        return golden.Cases.Select(c =>
        {
            var expected = !fp32 && c.GreedyBf16 is not null ? c.GreedyBf16 : c.GreedyFp32;
            var tokens = engine.Generate(c.Prompt, expected.Length, new SamplingSpec(Greedy: true), seed: 0);
            var agreed = tokens.Zip(expected).TakeWhile(pair => pair.First == pair.Second).Count();
            return new GoldenEngineResult(engine.Name, c.Name, expected.Length, agreed, Required: fp32);
        }).ToList();
    }

    static GoldenCaseResult RunCase(Gpt2 model, GoldenCase golden)
    {
        using var scope = NewDisposeScope();
        // Logits are measured against HF fp32, the truth; half-precision models follow HF's bf16 greedy continuation
        // where there is one, since that is the one a correct bf16 model can be expected to track.
        var fp32 = model.Dtype == ScalarType.Float32;
        var continuation = !fp32 && golden.GreedyBf16 is not null ? golden.GreedyBf16 : golden.GreedyFp32;
        var cacheTolerance = fp32 ? LogitsCheck.Fp32Tolerance : HalfCacheTolerance;

        var promptLogits = HostRows(model.Forward(Tokens(golden.Prompt, model.Device)));
        var logits = LogitsCheck.Measure(model.Dtype, golden.LogitsPositions.Select(position => promptLogits[position]).ToList(),
            golden.LogitsFp32, golden.LogitsBf16);

        using var cache = new StaticKvCache(model.Config, model.Dtype, model.Device, model.Config.NPositions);
        var ids = golden.Prompt.ToList();
        int greedyPrefix = 0, cachePrefix = 0;
        var cacheError = 0.0;
        for (var step = 0; step < continuation.Length; step++)
        {
            using var stepScope = NewDisposeScope();
            var full = HostRow(model.Forward(Tokens(ids, model.Device))[-1]);
            var cached = HostRow(step == 0
                ? model.Prefill(Tokens(golden.Prompt, model.Device), cache)
                : model.Decode(Tokens([ids[^1]], model.Device), Tokens([ids.Count - 1], model.Device), cache));
            cacheError = Math.Max(cacheError, LogitsCheck.RelativeL2(cached, full));
            if (greedyPrefix == step && ArgMax(full) == continuation[step])
                greedyPrefix++;
            if (cachePrefix == step && ArgMax(cached) == continuation[step])
                cachePrefix++;
            ids.Add(continuation[step]);
        }
        return new GoldenCaseResult(golden.Name, continuation.Length, logits, greedyPrefix, cachePrefix, cacheError,
            cacheTolerance, GreedyRequired: fp32);
    }

    static Tensor Tokens(IEnumerable<int> ids, Device device) => tensor(ids.Select(id => (long)id).ToArray(), device: device);

    static float[] HostRow(Tensor logits) => logits.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();

    static float[][] HostRows(Tensor logits) => HostRow(logits).Chunk((int)logits.shape[^1]).ToArray();

    static int ArgMax(float[] row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
            if (row[i] > row[best])
                best = i;
        return best;
    }
}
