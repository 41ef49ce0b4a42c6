using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using GptBench.GpuWorker.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Sampling;

public class SamplerTests
{
    public SamplerTests() => TorchRuntime.Initialize();

    static int Draw(Sampler sampler, Tensor logits, long seed, long counter)
    {
        using var scope = NewDisposeScope();
        using var seedTensor = tensor(new[] { Sampler.SeedValue(seed) });
        using var counterTensor = tensor(new[] { counter });
        return (int)sampler.Sample(logits, seedTensor, counterTensor).item<long>();
    }

    [Fact]
    public void Greedy_is_the_argmax()
    {
        using var sampler = new Sampler(new SamplingSpec(Greedy: true), 1000, CPU);
        for (int i = 0; i < 5; i++)
        {
            using var logits = randn(1000);
            Assert.Equal(logits.argmax().item<long>(), Draw(sampler, logits, seed: i, counter: i));
        }
    }

    [Fact]
    public void Draws_follow_the_softmax_of_the_top_k_and_never_leave_it()
    {
        var values = new[] { 1.0f, 0.2f, 2.0f, -1.0f, 1.5f, 0.9f };
        const double temperature = 0.8;
        const int topK = 4, draws = 12000;
        using var logits = tensor(values);
        using var sampler = new Sampler(new SamplingSpec(Greedy: false, Temperature: temperature, TopK: topK), values.Length, CPU);

        var counts = new int[values.Length];
        for (int i = 0; i < draws; i++)
            counts[Draw(sampler, logits, seed: 7 + i / 1000, counter: i)]++;

        var kept = Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).Take(topK).ToHashSet();
        var weights = Enumerable.Range(0, values.Length).Select(i => kept.Contains(i) ? Math.Exp(values[i] / temperature) : 0).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            var expected = weights[i] / weights.Sum();
            if (!kept.Contains(i))
                Assert.Equal(0, counts[i]);
            else
                Assert.InRange(counts[i] / (double)draws, expected - 0.02, expected + 0.02);
        }
    }

    [Fact]
    public void A_sampler_made_in_a_dispose_scope_samples_after_the_scope_and_a_collection()
    {
        Sampler sampler;
        using (NewDisposeScope())
            sampler = new Sampler(new SamplingSpec(Greedy: false, Temperature: 0.8, TopK: 2), 4, CPU);
        using (sampler)
        {
            using var logits = tensor(new[] { 3.0f, -5.0f, 2.5f, -6.0f });
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var draws = Enumerable.Range(0, 200).Select(i => Draw(sampler, logits, seed: 1, counter: i)).ToHashSet();
            Assert.Equal(new HashSet<int> { 0, 2 }, draws); // the top 2, both drawn, nothing else
        }
    }

    [Fact]
    public void The_same_seed_and_counter_give_the_same_token_and_others_differ()
    {
        using var logits = zeros(5000);
        using var sampler = new Sampler(new SamplingSpec(Greedy: false, Temperature: 1.0), 5000, CPU);
        Assert.Equal(Draw(sampler, logits, 3, 10), Draw(sampler, logits, 3, 10));
        var others = Enumerable.Range(0, 20).Select(c => Draw(sampler, logits, 3, c)).Concat(Enumerable.Range(0, 20).Select(s => Draw(sampler, logits, s, 10)));
        Assert.True(others.Distinct().Count() > 30);
    }

    [Fact]
    public void Noise_is_exponential_with_mean_one()
    {
        using var sampler = new Sampler(new SamplingSpec(Greedy: false), 50257, CPU);
        using var seed = tensor(new[] { Sampler.SeedValue(123) });
        using var counter = tensor(new[] { 45L });
        using var noise = sampler.ExponentialNoise(seed, counter);
        Assert.True(noise.min().item<float>() > 0);
        Assert.InRange(noise.mean().item<float>(), 0.97, 1.03);
        using var belowMedian = noise.lt(Math.Log(2)).to(ScalarType.Float32).mean();
        Assert.InRange(belowMedian.item<float>(), 0.49, 0.51);
    }

    [Fact]
    public void Bad_specs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Sampler(new SamplingSpec(Greedy: false, Temperature: 0), 10, CPU));
        Assert.Throws<ArgumentException>(() => new Sampler(new SamplingSpec(Greedy: false, TopK: -1), 10, CPU));
    }
}
