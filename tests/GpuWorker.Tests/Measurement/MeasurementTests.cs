using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Measurement;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Measurement;

public class MeasurementTests
{
    [Fact]
    public void Decode_throughput_counts_tokens_after_the_first_over_the_time_since_the_first()
    {
        Assert.Equal(3 / 0.06, TimedGeneration.DecodeTokensPerSecond([10.0, 30.0, 50.0, 70.0]), 6);
        Assert.Equal(0, TimedGeneration.DecodeTokensPerSecond([10.0]));
    }

    [Fact]
    public void Cache_bytes_are_averaged_over_the_lengths_the_decode_steps_attend_to()
    {
        var config = Presets.All["gpt2"];
        // 12 layers x (K + V) x 768 x 2 bytes per position; steps attend to 101, 102, 103: 102 on average.
        Assert.Equal(12L * 2 * 768 * 2 * 102, Traffic.CacheBytesPerToken(config, 2, promptTokens: 100, newTokens: 4));
        Assert.Equal(0, Traffic.CacheBytesPerToken(config, 2, 100, 1));
    }

    [Fact]
    public void A_timed_generation_has_increasing_arrivals_starting_with_the_first_token()
    {
        TorchRuntime.Initialize();
        using var model = Gpt2.Random(Presets.All["tiny"], seed: 1, ScalarType.Float32, CPU);
        using var engine = EngineFactory.Create(EngineNames.Static, model);
        var timed = TimedGeneration.Run(engine, [1, 2, 3, 4], 8, new SamplingSpec(), 0);

        Assert.Equal(8, timed.Tokens.Length);
        Assert.True(timed.TtftMs > 0);
        Assert.Equal(timed.TtftMs, timed.TokenArrivalMs[0]);
        Assert.True(timed.TokenArrivalMs.Zip(timed.TokenArrivalMs.Skip(1)).All(p => p.Second > p.First));
        Assert.Equal(7 / ((timed.TokenArrivalMs[^1] - timed.TokenArrivalMs[0]) / 1000), timed.TokensPerSecond, 6);
        Assert.Equal(model.WeightBytes, Traffic.WeightBytesPerToken(model));
    }
}
