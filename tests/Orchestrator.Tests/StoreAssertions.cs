using GptBench.Analysis.Store;

namespace GptBench.Orchestrator.Tests;

public static class StoreAssertions
{
    /// <summary>Samples exist only for done trials, each with all its samples, none twice.</summary>
    public static void AssertNoHalfTrials(ResultStore store, int repeats)
    {
        var samples = store.Samples.FindAll().ToList();
        Assert.Equal(samples.Count, samples.Select(s => (s.TrialId, s.Index)).Distinct().Count());
        var done = store.Trials.Find(t => t.Status == TrialStatus.Done).Select(t => t.Id).ToHashSet();
        foreach (var trial in samples.GroupBy(s => s.TrialId))
        {
            Assert.Contains(trial.Key, done);
            Assert.Equal(repeats, trial.Count());
        }
        Assert.Equal(done.Count * repeats, samples.Count);
    }
}
