using GptBench.Analysis.Store;
using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Sweeps;

/// <summary>A trial of the experiment paired with its row in the store.</summary>
public sealed record PlannedTrial(TrialSpec Spec, TrialDoc Doc);

/// <summary>What a run has to do: the sweep (new or resumed) and its trials that are not done yet.</summary>
public sealed record SweepPlan(SweepDoc Sweep, IReadOnlyList<PlannedTrial> Pending, int TotalTrials, bool Resumed)
{
    public int AlreadyDone => TotalTrials - Pending.Count;
}

public sealed record SweepOutcome(string SweepId, int Total, int Done, int Failed)
{
    public bool Complete => Done == Total;
}

/// <summary>
/// Decides between a new sweep and resuming the newest sweep of the same experiment: finished trials
/// are skipped, every other trial (pending, interrupted or failed) runs again.
/// </summary>
public static class SweepPlanner
{
    public static SweepPlan Plan(Experiment experiment, ResultStore store, bool fresh, Func<string, string> resolveDevice, string gitCommit)
    {
        var existing = fresh ? null : store.LatestSweep(experiment.ContentHash);
        if (existing is not null)
        {
            var docs = store.Trials.Find(t => t.SweepId == existing.Id).ToDictionary(t => t.TrialHash);
            var pending = experiment.Trials
                .Where(spec => docs[spec.Hash].Status != TrialStatus.Done)
                .Select(spec => new PlannedTrial(spec with { Device = docs[spec.Hash].Device }, Reopen(docs[spec.Hash])))
                .ToList();
            return new SweepPlan(existing, pending, experiment.Trials.Count, Resumed: true);
        }

        var created = DateTime.UtcNow;
        var sweep = new SweepDoc
        {
            Id = $"{created:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}",
            Name = experiment.Name,
            File = Path.GetFullPath(experiment.File),
            ExperimentHash = experiment.ContentHash,
            CreatedUtc = created,
            TrialCount = experiment.Trials.Count,
            GitCommit = gitCommit,
            Host = Environment.MachineName,
        };
        var planned = experiment.Trials
            .Select(spec => spec with { Device = resolveDevice(spec.Device) })
            .Select(spec => new PlannedTrial(spec, NewTrialDoc(sweep.Id, spec)))
            .ToList();
        store.CreateSweep(sweep, planned.Select(p => p.Doc));
        return new SweepPlan(sweep, planned, planned.Count, Resumed: false);
    }

    /// <summary>
    /// Every sweep in the store that did not finish, rebuilt from its trial documents alone (no
    /// experiment file needed): what `serve` resumes when it starts. A sweep whose trials were stored
    /// without their model and timeout (before those were kept) is left out, with the reason.
    /// </summary>
    public static IReadOnlyList<SweepPlan> Unfinished(ResultStore store, Action<string> skipped)
    {
        var plans = new List<SweepPlan>();
        foreach (var sweep in store.Sweeps.Find(s => s.FinishedUtc == null).OrderBy(s => s.CreatedUtc))
        {
            var docs = store.Trials.Find(t => t.SweepId == sweep.Id).OrderBy(t => t.Ordinal).ToList();
            if (docs.Any(t => t.Status != TrialStatus.Done && !CanRebuild(t)))
            {
                skipped($"sweep {sweep.Id} ({sweep.Name}) has trials stored without their model and timeout; run its file again to resume it");
                continue;
            }
            var pending = docs.Where(t => t.Status != TrialStatus.Done).Select(t => new PlannedTrial(ToSpec(t), Reopen(t))).ToList();
            plans.Add(new SweepPlan(sweep, pending, docs.Count, Resumed: true));
        }
        return plans;
    }

    static bool CanRebuild(TrialDoc doc) => (doc.ModelPreset is not null || doc.ModelPath is not null) && doc.TimeoutSeconds > 0;

    /// <summary>The trial a document describes; the inverse of <see cref="NewTrialDoc"/>.</summary>
    static TrialSpec ToSpec(TrialDoc doc) => new(
        Hash: doc.TrialHash,
        Ordinal: doc.Ordinal,
        ModelName: doc.Model,
        Model: new ModelSpec(doc.ModelPreset, doc.ModelPath, doc.ModelSeed),
        Engine: doc.Engine,
        Dtype: doc.Dtype,
        Device: doc.Device,
        InputTokens: doc.InputTokens,
        OutputTokens: doc.OutputTokens,
        Sampling: new SamplingSpec(doc.Greedy, doc.Temperature, doc.TopK),
        Warmup: doc.Warmup,
        Repeats: doc.Repeats,
        Seed: doc.Seed,
        PromptFile: doc.PromptFile,
        Timeout: TimeSpan.FromSeconds(doc.TimeoutSeconds),
        Axes: doc.Axes);

    static TrialDoc Reopen(TrialDoc doc)
    {
        doc.Status = TrialStatus.Pending;
        doc.Attempts = 0;
        return doc;
    }

    static TrialDoc NewTrialDoc(string sweepId, TrialSpec spec) => new()
    {
        Id = $"{sweepId}/{spec.Hash}",
        SweepId = sweepId,
        TrialHash = spec.Hash,
        Ordinal = spec.Ordinal,
        Model = spec.ModelName,
        Engine = spec.Engine,
        Dtype = spec.Dtype,
        Device = spec.Device,
        InputTokens = spec.InputTokens,
        OutputTokens = spec.OutputTokens,
        Greedy = spec.Sampling.Greedy,
        Temperature = spec.Sampling.Temperature,
        TopK = spec.Sampling.TopK,
        Warmup = spec.Warmup,
        Repeats = spec.Repeats,
        Seed = spec.Seed,
        ModelPreset = spec.Model.Preset,
        ModelPath = spec.Model.Path,
        ModelSeed = spec.Model.Seed,
        PromptFile = spec.PromptFile,
        TimeoutSeconds = spec.Timeout.TotalSeconds,
        Axes = spec.Axes.ToDictionary(),
    };
}
