using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>
/// How one golden case went. Errors are the largest |ours - reference| in a row of logits, divided by the row's
/// largest |reference|. Greedy and cache prefixes count the leading steps whose argmax is the golden token.
/// </summary>
public sealed record GoldenCaseResult(
    string Name, int Steps, double LogitsError, int GreedyPrefix, int CachePrefix, double CacheError,
    double Tolerance, bool GreedyRequired)
{
    public bool Passed =>
        LogitsError <= Tolerance && CacheError <= Tolerance
        && (!GreedyRequired || (GreedyPrefix == Steps && CachePrefix == Steps));

    public override string ToString() =>
        $"{(Passed ? "ok  " : "FAIL")} {Name}: logits error {LogitsError:E1}, greedy {GreedyPrefix}/{Steps}, "
        + $"KV-cache greedy {CachePrefix}/{Steps}, KV-cache vs full forward {CacheError:E1} (tolerance {Tolerance:E0})";
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
    public const double Fp32Tolerance = 1e-4;

    /// <summary>
    /// bf16 keeps 8 bits of mantissa; on the tiny checkpoint our bf16 logits differ from the fp32 golden by up to
    /// 3e-2 of the row's largest logit, while a real bug (a transposed weight) gives errors near 1.
    /// </summary>
    public const double Bf16Tolerance = 1e-1;

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
        // fp32 models are held to the fp32 reference exactly; half-precision ones to the bf16 reference where there is one.
        var fp32 = model.Dtype == ScalarType.Float32;
        var (expectedLogits, continuation) = !fp32 && golden.LogitsBf16 is not null
            ? (golden.LogitsBf16, golden.GreedyBf16!)
            : (golden.LogitsFp32, golden.GreedyFp32);
        var tolerance = fp32 ? Fp32Tolerance : Bf16Tolerance;

        var promptLogits = HostRows(model.Forward(Tokens(golden.Prompt, model.Device)));
        var logitsError = golden.LogitsPositions.Select((position, row) => RowError(promptLogits[position], expectedLogits[row])).Max();

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
            cacheError = Math.Max(cacheError, RowError(cached, full));
            if (greedyPrefix == step && ArgMax(full) == continuation[step])
                greedyPrefix++;
            if (cachePrefix == step && ArgMax(cached) == continuation[step])
                cachePrefix++;
            ids.Add(continuation[step]);
        }
        return new GoldenCaseResult(golden.Name, continuation.Length, logitsError, greedyPrefix, cachePrefix, cacheError,
            tolerance, GreedyRequired: fp32);
    }

    static Tensor Tokens(IEnumerable<int> ids, Device device) => tensor(ids.Select(id => (long)id).ToArray(), device: device);

    static float[] HostRow(Tensor logits) => logits.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();

    static float[][] HostRows(Tensor logits) => HostRow(logits).Chunk((int)logits.shape[^1]).ToArray();

    static double RowError(float[] ours, float[] reference)
    {
        double worst = 0, scale = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(ours[i] - reference[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }
        return worst / scale;
    }

    static int ArgMax(float[] row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
            if (row[i] > row[best])
                best = i;
        return best;
    }
}
