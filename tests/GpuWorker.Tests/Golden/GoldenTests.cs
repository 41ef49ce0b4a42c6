using System.Text.Json.Nodes;
using GptBench.GpuWorker.Checkpoints;
using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Golden;

/// <summary>The committed tiny checkpoint against its golden file (see docs/correctness.md for where both come from).</summary>
public class GoldenTests(ITestOutputHelper output)
{
    static readonly string TinyDir = Path.Combine(AppContext.BaseDirectory, "Golden", "tiny");

    static GoldenFile Golden => GoldenFile.Read(Path.Combine(TinyDir, GoldenFile.FileName));

    static Gpt2 LoadTiny(ScalarType dtype)
    {
        TorchRuntime.Initialize();
        return HfCheckpoint.Load(TinyDir, dtype, CPU).Model;
    }

    IReadOnlyList<GoldenCaseResult> Check(Gpt2 model)
    {
        var golden = Golden;
        output.WriteLine($"golden source: {golden.Source}");
        var results = GoldenCheck.Run(model, golden);
        foreach (var result in results)
            output.WriteLine(result.ToString());
        return results;
    }

    [Fact]
    public void Golden_file_covers_every_position_a_long_prompt_and_greedy_continuations()
    {
        var golden = Golden;
        Assert.All(golden.Cases, c => Assert.Equal(Enumerable.Range(0, c.Prompt.Length), c.LogitsPositions));
        Assert.Contains(golden.Cases, c => c.Prompt.Length >= golden.Config.NPositions * 9 / 10);
        Assert.Contains(golden.Cases, c => c.GreedyFp32.Length == 64);
        Assert.Contains(golden.Cases, c => c.GreedyFp32.Distinct().Count() > 10); // not a model stuck on one token
    }

    [Fact]
    public void Fp32_logits_greedy_and_kv_cache_match_the_golden()
    {
        using var model = LoadTiny(ScalarType.Float32);
        var results = Check(model);
        Assert.All(results, result =>
        {
            Assert.True(result.Logits.Error <= LogitsCheck.Fp32Tolerance, result.ToString());
            Assert.Equal(result.Steps, result.GreedyPrefix);
            Assert.Equal(result.Steps, result.CachePrefix);
            Assert.True(result.CacheError <= LogitsCheck.Fp32Tolerance, result.ToString());
        });
    }

    [Fact]
    public void Bf16_logits_against_hf_fp32_and_kv_cache_stay_within_their_bounds()
    {
        using var model = LoadTiny(ScalarType.BFloat16);
        Assert.All(Check(model), result => Assert.True(result.Passed, result.ToString()));
    }

    [Theory]
    [InlineData(EngineNames.Eager)]
    [InlineData(EngineNames.Static)]
    public void Engines_generate_the_golden_greedy_continuation(string engineName)
    {
        using var model = LoadTiny(ScalarType.Float32);
        using var engine = EngineFactory.Create(engineName, model);
        var results = GoldenCheck.RunEngine(engine, Golden);
        foreach (var result in results)
            output.WriteLine(result.ToString());
        Assert.All(results, result => Assert.Equal(result.Steps, result.Agreed));
    }

    [Fact]
    public void A_transposed_projection_fails_the_check()
    {
        // HF's Conv1D stores [in, out]; reading c_proj the nn.Linear way is the classic porting bug.
        using var model = LoadTiny(ScalarType.Float32);
        var projection = model.Weights["h.1.attn.c_proj.weight"];
        using (var transposed = projection.t().contiguous())
            projection.copy_(transposed);

        Assert.All(Check(model), result => Assert.False(result.Passed, result.ToString()));
    }

    [Fact]
    public void Hf_bf16_logits_set_the_bound_and_hf_bf16_greedy_is_reported_for_bf16_models()
    {
        // Here HF's bf16 logits are its fp32 ones (HF's own error 0) and its bf16 greedy tokens are shifted.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TinyDir, GoldenFile.FileName)))!;
        foreach (var c in json["cases"]!.AsArray())
        {
            c!["logits_bf16"] = c["logits_fp32"]!.GetValue<string>();
            c["greedy_bf16"] = new JsonArray([.. c["greedy_fp32"]!.AsArray().Select(t => JsonValue.Create((t!.GetValue<int>() + 1) % 512))]);
        }
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, json.ToJsonString());
            var golden = GoldenFile.Read(path);
            Assert.All(golden.Cases, c => Assert.Equal(c.LogitsFp32, c.LogitsBf16!));

            using var model = LoadTiny(ScalarType.BFloat16);
            Assert.All(GoldenCheck.Run(model, golden), r =>
            {
                Assert.True(r.Logits.HfBf16Error == 0 && r.Logits.Bound == LogitsCheck.HalfTolerance, r.ToString());
                Assert.Equal(0, r.GreedyPrefix); // compared with greedy_bf16
            });
            using var engine = EngineFactory.Create(EngineNames.Static, model);
            var results = GoldenCheck.RunEngine(engine, golden);
            Assert.All(results, r => Assert.True(r.Agreed == 0 && r.Passed, r.ToString())); // compared with greedy_bf16, reported only
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unreadable_golden_file_is_named()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"source": "x", "config": {}}""");
            var error = Assert.Throws<InvalidDataException>(() => GoldenFile.Read(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
