using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;

namespace GptBench.GpuWorker.Tests.Host;

public class EngineProcessTests
{
    static readonly Load TinyStatic = new(new ModelSpec(Preset: "tiny", Seed: 3), EngineNames.Static, "fp32", "cpu");

    static RunTrial Trial(string id, int input = 8, int output = 6, int repeats = 3) =>
        new(id, input, output, new SamplingSpec(Greedy: false, Temperature: 0.8, TopK: 40), Warmup: 1, Repeats: repeats, Seed: 11);

    [Fact]
    public void The_engine_process_says_hello_loads_runs_trials_and_says_bye()
    {
        using var engine = new EngineProcess();
        var hello = engine.Receive<Hello>();
        Assert.Equal("cpu", hello.Environment.Device);
        Assert.Equal((null, null, null), (hello.Environment.GpuUuid, hello.Environment.GpuIndex, hello.Environment.GpuCount));
        Assert.False(string.IsNullOrEmpty(hello.Environment.Libtorch));
        Assert.StartsWith("0.107", hello.Environment.TorchSharp);
        Assert.Contains(".NET", hello.Environment.DotNet);

        engine.Send(TinyStatic);
        var loaded = engine.Receive<Loaded>();
        Assert.Equal(Presets.All["tiny"].ParameterCount, loaded.ParameterCount);
        Assert.Equal(loaded.ParameterCount * 4, loaded.WeightBytes);
        Assert.True(loaded.LoadMs > 0);

        engine.Send(Trial("t1"));
        var samples = Enumerable.Range(0, 3).Select(_ => engine.Receive<Sample>()).ToList();
        Assert.Equal("t1", engine.Receive<TrialDone>().TrialId);
        Assert.Equal([0, 1, 2], samples.Select(s => s.Index));
        foreach (var sample in samples)
        {
            Assert.Equal("t1", sample.TrialId);
            Assert.True(sample.TtftMs > 0);
            Assert.Equal(sample.TtftMs, sample.TokenArrivalMs[0]);
            Assert.Equal(6, sample.TokenArrivalMs.Length);
            Assert.True(sample.TokenArrivalMs.Zip(sample.TokenArrivalMs.Skip(1)).All(p => p.Second > p.First));
            Assert.True(sample.TokensPerSecond > 0);
            Assert.Equal(loaded.WeightBytes, sample.WeightBytesPerToken);
            Assert.True(sample.CacheBytesPerToken > 0);
            Assert.Equal(6, sample.TokenIds.Length);
        }

        // The same trial again gives the same tokens: prompts and sampling are seeded.
        engine.Send(Trial("t1-again"));
        var again = Enumerable.Range(0, 3).Select(_ => engine.Receive<Sample>()).ToList();
        engine.Receive<TrialDone>();
        Assert.Equal(samples.Select(s => s.TokenIds), again.Select(s => s.TokenIds));

        engine.Send(new Bye());
        Assert.Equal(0, engine.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_failing_trial_is_reported_with_its_id_and_the_process_goes_on()
    {
        using var engine = new EngineProcess();
        engine.Receive<Hello>();

        engine.Send(Trial("before-load"));
        Assert.Equal("before-load", engine.Receive<Failure>().TrialId);

        engine.Send(TinyStatic with { Model = new ModelSpec(Path: "/no/such/checkpoint") });
        Assert.Contains("/no/such/checkpoint", engine.Receive<Failure>().Message);
        engine.Send(TinyStatic with { Engine = EngineNames.CudaGraph });
        Assert.Contains("CUDA", engine.Receive<Failure>().Message);

        engine.Send(TinyStatic);
        engine.Receive<Loaded>();
        engine.Send(Trial("too-long", input: 1000, output: 100));
        var failure = engine.Receive<Failure>();
        Assert.Equal("too-long", failure.TrialId);
        Assert.False(failure.Fatal);
        Assert.Contains("exceed the context", failure.Message);

        engine.Send(Trial("fine", repeats: 1));
        Assert.Equal("fine", engine.Receive<Sample>().TrialId);
        engine.Receive<TrialDone>();

        engine.Send(new Bye());
        Assert.Equal(0, engine.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Fault_hooks_crash_hang_or_write_garbage_on_a_trial()
    {
        using (var crashing = new EngineProcess("crash-on-trial"))
        {
            crashing.Receive<Hello>();
            crashing.Send(Trial("t"));
            Assert.NotEqual(0, crashing.WaitForExit(TimeSpan.FromSeconds(60)));
        }
        using (var garbage = new EngineProcess("garbage-on-trial"))
        {
            garbage.Receive<Hello>();
            garbage.Send(Trial("t"));
            Assert.Throws<ProtocolException>(() => JsonLines.Decode(garbage.ReadLine()!));
        }
        using (var hanging = new EngineProcess("hang-on-trial"))
        {
            hanging.Receive<Hello>();
            hanging.Send(Trial("t"));
            Assert.Null(hanging.ReadLine(TimeSpan.FromSeconds(3)));
            Assert.False(hanging.HasExited);
        }
    }
}
