using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;

namespace GptBench.GpuWorker.Tests.Hf;

public sealed class HfEngineTests
{
    [SkippableFact]
    public async Task Runs_a_greedy_tiny_trial_on_the_cpu_with_the_protocols_timing_rules()
    {
        var (ok, detail) = HfEngineProcess.TryPython("import torch, transformers");
        Skip.IfNot(ok, $"python3 cannot import torch and transformers, so the HF adapter cannot run here ({detail})");

        await using var engine = HfEngineProcess.Start();
        var hello = await engine.Receive<Hello>();
        Assert.StartsWith("transformers ", hello.Environment.TorchSharp);
        Assert.StartsWith("python ", hello.Environment.DotNet);

        await engine.Send(new Load(new ModelSpec(Preset: "tiny", Seed: 1), "hf-eager", "fp32", "cpu"));
        var loaded = await engine.Receive<Loaded>();
        var tiny = Presets.All["tiny"];
        Assert.Equal(tiny.ParameterCount, loaded.ParameterCount);
        Assert.Equal(tiny.ParameterCount * 4, loaded.WeightBytes);

        await engine.Send(new RunTrial("trial-1", InputTokens: 8, OutputTokens: 8, new SamplingSpec(Greedy: true), Warmup: 0, Repeats: 2, Seed: 7));
        Sample[] samples = [await engine.Receive<Sample>(), await engine.Receive<Sample>()];
        Assert.Equal("trial-1", (await engine.Receive<TrialDone>()).TrialId);

        Assert.Equal(new[] { 0, 1 }, samples.Select(s => s.Index));
        foreach (var sample in samples)
        {
            Assert.Equal("trial-1", sample.TrialId);
            Assert.Equal(8, sample.TokenIds.Length);
            Assert.All(sample.TokenIds, id => Assert.InRange(id, 0, tiny.VocabSize - 1));
            Assert.Equal(8, sample.TokenArrivalMs.Length);
            Assert.True(sample.TtftMs > 0);
            Assert.Equal(sample.TokenArrivalMs[0], sample.TtftMs);
            Assert.All(sample.TokenArrivalMs.Zip(sample.TokenArrivalMs.Skip(1)), pair => Assert.True(pair.First < pair.Second));
            var expectedRate = 7 * 1000.0 / (sample.TokenArrivalMs[7] - sample.TokenArrivalMs[0]);
            Assert.Equal(expectedRate, sample.TokensPerSecond, 1e-6 * expectedRate);
            Assert.Equal(loaded.WeightBytes, sample.WeightBytesPerToken);
            Assert.Equal(2L * tiny.NLayer * tiny.NEmbd * 4, sample.CacheBytesPerToken);
        }
        // greedy decoding of the same prompt gives the same tokens every run
        Assert.Equal(samples[0].TokenIds, samples[1].TokenIds);

        await engine.Send(new Bye());
        await engine.Receive<Bye>();
        Assert.Equal(0, await engine.ExitCode());
    }

    [SkippableFact]
    public async Task Without_torch_it_answers_errors_and_fails_the_load_naming_what_is_missing()
    {
        var (ok, detail) = HfEngineProcess.TryPython("pass");
        Skip.IfNot(ok, $"python3 does not run here ({detail})");

        // -S -E: no site-packages and no PYTHONPATH, so torch and transformers cannot be found wherever they are installed
        await using var engine = HfEngineProcess.Start("-S", "-E");
        var hello = await engine.Receive<Hello>();
        Assert.Equal("torch not installed", hello.Environment.Libtorch);

        await engine.SendLine("this is not json");
        var malformed = await engine.Receive<Failure>();
        Assert.False(malformed.Fatal);
        Assert.Contains("malformed protocol line", malformed.Message);

        await engine.SendLine("""{"type":"load","v":2}""");
        Assert.Contains("protocol version 2", (await engine.Receive<Failure>()).Message);

        await engine.SendLine("""{"type":"sample","v":1}""");
        Assert.Contains("unexpected protocol message type 'sample'", (await engine.Receive<Failure>()).Message);

        await engine.Send(new RunTrial("early", 8, 8, new SamplingSpec(), Warmup: 0, Repeats: 1, Seed: 1));
        var early = await engine.Receive<Failure>();
        Assert.Equal("early", early.TrialId);
        Assert.Contains("no model loaded", early.Message);

        await engine.Send(new Load(new ModelSpec(Preset: "tiny", Seed: 1), "hf-eager", "fp32", "cpu"));
        var missing = await engine.Receive<Failure>();
        Assert.True(missing.Fatal);
        Assert.Contains("torch is not installed: pip install torch", missing.Message);
        Assert.Equal(3, await engine.ExitCode());
    }
}
