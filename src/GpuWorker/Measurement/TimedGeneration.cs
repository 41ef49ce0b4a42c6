using System.Diagnostics;
using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Protocol;

namespace GptBench.GpuWorker.Measurement;

/// <summary>
/// One generation timed as DESIGN.md says: the clock starts at the host call that starts the request,
/// and a token counts when its id is in host memory (the engines read each id back, which waits for
/// the GPU work that made it). Times are milliseconds since the request started.
/// </summary>
public sealed record TimedGeneration(int[] Tokens, double TtftMs, double[] TokenArrivalMs, double TokensPerSecond)
{
    public static TimedGeneration Run(IEngine engine, int[] prompt, int newTokens, SamplingSpec sampling, long seed)
    {
        var arrivals = new double[newTokens];
        var clock = Stopwatch.StartNew();
        var tokens = engine.Generate(prompt, newTokens, sampling, seed, (index, _) => arrivals[index] = clock.Elapsed.TotalMilliseconds);
        return new TimedGeneration(tokens, arrivals[0], arrivals, DecodeTokensPerSecond(arrivals));
    }

    /// <summary>(M - 1) / (arrival of token M - arrival of token 1); 0 when there is no decode (M &lt; 2).</summary>
    public static double DecodeTokensPerSecond(IReadOnlyList<double> arrivalMs) =>
        arrivalMs.Count < 2 ? 0 : (arrivalMs.Count - 1) / ((arrivalMs[^1] - arrivalMs[0]) / 1000.0);
}
