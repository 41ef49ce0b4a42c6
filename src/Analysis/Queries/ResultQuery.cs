using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;
using LiteDB;
using static GptBench.Analysis.Queries.UtcDates;

namespace GptBench.Analysis.Queries;

/// <summary>Read-side questions over the store: which sweeps, trials and samples match a filter.</summary>
public sealed class ResultQuery(ResultStore store)
{
    public const string Latest = "latest";

    readonly Lazy<Dictionary<string, EnvironmentDoc>> environments =
        new(() => store.Environments.FindAll().ToDictionary(e => e.Id));

    /// <summary>The sweep with this id, the only one whose id starts with it, or the newest for "latest".</summary>
    public SweepDoc ResolveSweep(string idOrPrefix)
    {
        var all = store.Sweeps.FindAll().ToList();
        if (idOrPrefix == Latest)
            return all.MaxBy(s => s.CreatedUtc) ?? throw new BadQueryException("the store holds no sweep yet");
        var exact = all.FirstOrDefault(s => s.Id == idOrPrefix);
        if (exact is not null) return exact;
        var matches = all.Where(s => s.Id.StartsWith(idOrPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new BadQueryException($"no sweep id starts with '{idOrPrefix}'"),
            _ => throw new BadQueryException(
                $"sweep prefix '{idOrPrefix}' is ambiguous: {string.Join(", ", matches.Select(s => s.Id))}"),
        };
    }

    /// <summary>Sweeps started in the date range that hold at least one trial matching the other fields.</summary>
    public IReadOnlyList<SweepDoc> Sweeps(ResultFilter filter)
    {
        var withMatchingTrials = TrialsIgnoringDates(filter).Select(r => r.Sweep.Id).ToHashSet();
        return store.Sweeps.FindAll()
            .Where(s => withMatchingTrials.Contains(s.Id) && filter.InRange(Utc(s.CreatedUtc)))
            .OrderBy(s => s.CreatedUtc)
            .ToList();
    }

    /// <summary>Matching trials in sweep order, then in their order within the sweep.</summary>
    public IReadOnlyList<TrialRow> Trials(ResultFilter filter) =>
        TrialsIgnoringDates(filter).Where(r => filter.InRange(Utc(r.Trial.FinishedUtc))).ToList();

    /// <summary>Samples of matching trials taken in the date range.</summary>
    public IReadOnlyList<SampleRow> Samples(ResultFilter filter) =>
        TrialsIgnoringDates(filter)
            .SelectMany(r => store.SamplesOf(r.Trial.Id).Select(s => new SampleRow(r, s)))
            .Where(r => filter.InRange(Utc(r.Sample.CreatedUtc)))
            .ToList();

    public IReadOnlyList<TrialRow> TrialsOf(SweepDoc sweep) => Trials(new ResultFilter { Sweep = sweep.Id });

    public IReadOnlyList<SampleDoc> SamplesOf(TrialDoc trial) => store.SamplesOf(trial.Id);

    /// <summary>The trial's statistics, or null when it has no samples.</summary>
    public TrialStatistics? Statistics(TrialRow row) =>
        TrialStatistics.Compute(row.Trial, store.SamplesOf(row.Trial.Id), row.Environment?.GpuName);

    public EnvironmentDoc? Environment(string? id) =>
        id is not null && environments.Value.TryGetValue(id, out var e) ? e : null;

    IEnumerable<TrialRow> TrialsIgnoringDates(ResultFilter filter)
    {
        var sweeps = store.Sweeps.FindAll().ToDictionary(s => s.Id);
        string? sweepId = filter.Sweep is null ? null : ResolveSweep(filter.Sweep).Id;
        return SelectByIndexedFields(filter, sweepId)
            .Where(t => sweeps.ContainsKey(t.SweepId))
            .Select(t => new TrialRow(sweeps[t.SweepId], t, Environment(t.EnvironmentId)))
            .Where(r => Matches(filter, r))
            .OrderBy(r => r.Sweep.CreatedUtc).ThenBy(r => r.Trial.Ordinal)
            .ToList();
    }

    /// <summary>The exact-match fields, handed to LiteDB so its indexes do the selecting.</summary>
    IEnumerable<TrialDoc> SelectByIndexedFields(ResultFilter filter, string? sweepId)
    {
        var terms = new (string Field, string? Value)[]
            {
                (nameof(TrialDoc.SweepId), sweepId),
                (nameof(TrialDoc.Model), filter.Model),
                (nameof(TrialDoc.Engine), filter.Engine),
                (nameof(TrialDoc.Dtype), filter.Dtype),
                (nameof(TrialDoc.Device), filter.Device),
            }
            .Where(t => t.Value is not null)
            .Select(t => Query.EQ(t.Field, t.Value))
            .ToArray();
        return terms.Length switch
        {
            0 => store.Trials.FindAll(),
            1 => store.Trials.Find(terms[0]),
            _ => store.Trials.Find(Query.And(terms)),
        };
    }

    static bool Matches(ResultFilter filter, TrialRow row)
    {
        var env = row.Environment;
        if (filter.Gpu is not null && env?.GpuName?.Contains(filter.Gpu, StringComparison.OrdinalIgnoreCase) != true)
            return false;
        if (filter.Host is not null && !string.Equals(env?.Host ?? row.Sweep.Host, filter.Host, StringComparison.OrdinalIgnoreCase))
            return false;
        return filter.Axes.All(a =>
            row.Trial.Axes.TryGetValue(a.Key, out var v) && string.Equals(v, a.Value, StringComparison.OrdinalIgnoreCase));
    }
}
