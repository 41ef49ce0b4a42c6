using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tests;

/// <summary>
/// The seed's two figures as a sweep: TTFT over input tokens (32 out) and throughput over output tokens (32 in),
/// for two engines, with seeded noise. speed scales every engine's throughput (0.7 = a 30% regression).
/// </summary>
static class SeedSweeps
{
    public static readonly string[] Engines = ["eager", "graph"];

    public static SweepDoc Add(TestStore store, string id, int seed, double speed = 1.0, int repeats = 5,
        int step = 96, DateTime? created = null)
    {
        var rng = new Random(seed);
        var trials = new List<(TrialDoc, IReadOnlyList<SampleDoc>)>();
        foreach (var engine in Engines)
        {
            double tokensPerSecond = (engine == "graph" ? 900 : 300) * speed;
            double ttftPerToken = engine == "graph" ? 0.01 : 0.02;
            IReadOnlyList<SampleDoc> Samples(int input, int output) => Enumerable.Range(0, repeats).Select(_ =>
                TestStore.Sample(
                    (5 + ttftPerToken * input) / speed * (1 + 0.03 * Normal(rng)),
                    Enumerable.Range(0, output - 1).Select(_ => 1000 / tokensPerSecond * (1 + 0.05 * Math.Abs(Normal(rng)))).ToList(),
                    cacheBytes: 36_864L * (input + output))).ToList();
            for (int input = 16; input <= 992; input += step)
                trials.Add((TestStore.Trial("gpt2", engine, input, 32), Samples(input, 32)));
            for (int output = 16; output <= 992; output += step)
                if (output != 32) trials.Add((TestStore.Trial("gpt2", engine, 32, output), Samples(32, output)));
        }
        return store.AddSweep(id, created ?? TestStore.Start, TestStore.H100, trials);
    }

    /// <summary>Standard normal by Box-Muller, from the seeded generator.</summary>
    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
