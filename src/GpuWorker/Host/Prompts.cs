namespace GptBench.GpuWorker.Host;

/// <summary>Seeded random prompts and sampling seeds: the same (trial seed, sample index) always gives the same ones.</summary>
public static class Prompts
{
    /// <summary>Token ids drawn uniformly from the vocabulary.</summary>
    public static int[] Random(long trialSeed, int index, int length, int vocabSize)
    {
        var random = new System.Random(unchecked((int)(SampleSeed(trialSeed, index) >>> 32)));
        return Enumerable.Range(0, length).Select(_ => random.Next(vocabSize)).ToArray();
    }

    /// <summary>The sampling seed of one sample (splitmix64 of the trial seed and the index).</summary>
    public static long SampleSeed(long trialSeed, int index)
    {
        var z = unchecked((ulong)trialSeed + (ulong)(long)index * 0x9E3779B97F4A7C15UL + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((long)(z ^ (z >> 31)));
    }
}
