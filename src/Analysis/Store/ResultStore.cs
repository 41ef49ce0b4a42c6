using LiteDB;

namespace GptBench.Analysis.Store;

/// <summary>
/// The LiteDB file. The coordinator is its only writer; analysis opens it read-only.
/// A trial's samples and its done status are written in one transaction.
/// </summary>
public sealed class ResultStore : IDisposable
{
    /// <summary>The document types a store holds.</summary>
    internal static readonly Type[] DocumentTypes = [typeof(SweepDoc), typeof(TrialDoc), typeof(SampleDoc), typeof(EnvironmentDoc)];

    // LiteDB 5.0.21's mapper publishes a type's mapping before it has filled in the members, so a thread mapping a
    // type while another maps it for the first time can read or write documents with fields missing, or fail with
    // "Collection was modified" (litedb-org/LiteDB#2536, #2565; seen here as a parallel test run's samples read back
    // with nothing but their ids, and its trials failing to read back). The fix came after 5.0.21, the newest served;
    // until then every store shares one mapper, each document type written and read back once in the type
    // initializer, which runs once while other threads wait: reading maps what writing does not (a type's constructor,
    // the axes' dictionary type).
    static readonly BsonMapper Mapper = MapperWithDocuments();

    /// <summary>A mapper with every document type mapped already, both ways.</summary>
    internal static BsonMapper MapperWithDocuments()
    {
        var mapper = new BsonMapper();
        foreach (var type in DocumentTypes) mapper.ToObject(type, mapper.ToDocument(type, Activator.CreateInstance(type)));
        return mapper;
    }

    readonly LiteDatabase db;
    readonly bool readOnly;

    public ResultStore(string path, bool readOnly = false)
    {
        this.readOnly = readOnly;
        if (readOnly && !File.Exists(path))
            throw new FileNotFoundException($"no result store at {path}", path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = readOnly }, Mapper);
        if (!readOnly) EnsureIndexes();
    }

    public ILiteCollection<SweepDoc> Sweeps => db.GetCollection<SweepDoc>("sweeps");
    public ILiteCollection<TrialDoc> Trials => db.GetCollection<TrialDoc>("trials");
    public ILiteCollection<SampleDoc> Samples => db.GetCollection<SampleDoc>("samples");
    public ILiteCollection<EnvironmentDoc> Environments => db.GetCollection<EnvironmentDoc>("environments");

    void EnsureIndexes()
    {
        Sweeps.EnsureIndex(s => s.ExperimentHash);
        Trials.EnsureIndex(t => t.SweepId);
        Trials.EnsureIndex(t => t.Model);
        Trials.EnsureIndex(t => t.Engine);
        Trials.EnsureIndex(t => t.Status);
        Samples.EnsureIndex(s => s.TrialId);
        Samples.EnsureIndex(s => s.SweepId);
    }

    /// <summary>The newest sweep of an experiment with this content hash, or null.</summary>
    public SweepDoc? LatestSweep(string experimentHash) =>
        Sweeps.Find(s => s.ExperimentHash == experimentHash).OrderByDescending(s => s.CreatedUtc).FirstOrDefault();

    /// <summary>Creates the sweep and all its trials (pending) in one transaction.</summary>
    public void CreateSweep(SweepDoc sweep, IEnumerable<TrialDoc> trials)
    {
        Atomically(() =>
        {
            Sweeps.Insert(sweep);
            Trials.InsertBulk(trials);
        });
    }

    /// <summary>A trial's samples in the order they were taken.</summary>
    public IReadOnlyList<SampleDoc> SamplesOf(string trialId) =>
        Samples.Find(s => s.TrialId == trialId).OrderBy(s => s.Index).ToList();

    public void UpsertEnvironment(EnvironmentDoc environment) => Environments.Upsert(environment);

    /// <summary>Stores every sample of a trial and marks it done, all or nothing. Samples of an earlier attempt are replaced.</summary>
    public void CompleteTrial(TrialDoc trial, IReadOnlyList<SampleDoc> samples)
    {
        Atomically(() =>
        {
            Samples.DeleteMany(s => s.TrialId == trial.Id);
            Samples.InsertBulk(samples);
            trial.Status = TrialStatus.Done;
            trial.Error = null;
            trial.FinishedUtc ??= DateTime.UtcNow;
            Trials.Update(trial);
        });
    }

    public void UpdateTrial(TrialDoc trial) => Trials.Update(trial);

    public void UpdateSweep(SweepDoc sweep) => Sweeps.Update(sweep);

    void Atomically(Action write)
    {
        db.BeginTrans();
        try
        {
            write();
            db.Commit();
        }
        catch
        {
            db.Rollback();
            throw;
        }
        // Move the write-ahead log into the data file now: a read-only reader (analysis, tests, a
        // person looking mid-sweep) then sees every finished trial, whatever happens to this process.
        db.Checkpoint();
    }

    public void Dispose()
    {
        if (!readOnly) db.Checkpoint();
        db.Dispose();
    }
}
