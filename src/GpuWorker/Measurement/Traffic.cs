using GptBench.GpuWorker.Model;

namespace GptBench.GpuWorker.Measurement;

/// <summary>
/// Bytes a decode step must read from memory, for comparing throughput with the bandwidth limit:
/// every weight once (the tied embedding once, as the lm_head read), and the keys and values of every
/// position attended to.
/// </summary>
public static class Traffic
{
    public static long WeightBytesPerToken(Gpt2 model) => model.WeightBytes;

    /// <summary>
    /// KV-cache bytes read per decode step at the length it attends to, averaged over the decode:
    /// the step making token i (i = 1..M-1) attends to T + i positions, T + M/2 on average. 0 when M &lt; 2.
    /// </summary>
    public static long CacheBytesPerToken(Gpt2Config config, long elementSize, int promptTokens, int newTokens)
    {
        if (newTokens < 2)
            return 0;
        long bytesPerPosition = config.NLayer * 2L * config.NEmbd * elementSize;
        return bytesPerPosition * (2L * promptTokens + newTokens) / 2;
    }
}
