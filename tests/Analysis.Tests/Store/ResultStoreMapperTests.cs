using GptBench.Analysis.Store;
using LiteDB;

namespace GptBench.Analysis.Tests.Store;

/// <summary>The store's mapper against LiteDB 5.0.21's race on a type's first mapping (ResultStore.Mapper).</summary>
public class ResultStoreMapperTests
{
    [Fact]
    public void Threads_mapping_a_sample_at_once_on_a_fresh_mapper_each_get_every_field()
    {
        // Each round a new mapper, as a new process's would be, used by threads released together: where a type is
        // first mapped while another thread already reads its half-built mapping, a document comes out without some
        // of its fields (without the mapping up front this fails within a few rounds on two cores).
        var sample = new SampleDoc
        {
            Id = "s/t/0", SweepId = "s", TrialId = "t", Index = 0, TtftMs = 1.5, TokenArrivalMs = [1.5, 2.5], TokensPerSecond = 1000,
            WeightBytesPerToken = 2, CacheBytesPerToken = 3, EnvironmentId = "e", CreatedUtc = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc),
        };
        var fields = typeof(SampleDoc).GetProperties().Length;
        for (var round = 0; round < 100; round++)
        {
            var mapper = ResultStore.MapperWithDocuments();
            Assert.All(AtOnce(() => mapper.ToDocument(sample).Keys.Count), r =>
            {
                Assert.Null(r.Failure);
                Assert.Equal(fields, r.Value);
            });
        }
    }

    [Fact]
    public void Threads_reading_a_trial_back_at_once_on_a_fresh_mapper_each_get_it_whole()
    {
        // Reading back maps what writing does not: the axes' dictionary type and each type's constructor, built on a
        // type's first read. Threads reading at once on a mapper without them failed with "Collection was modified"
        // (a parallel test run's trials read back) or lost fields: without the reads in MapperWithDocuments this test
        // failed in one run of three or four here (2 cores).
        var trial = new TrialDoc { Id = "s/0", SweepId = "s", Model = "gpt2", Axes = new() { ["input_tokens"] = "8", ["engine"] = "fused" } };
        for (var round = 0; round < 300; round++)
        {
            var mapper = ResultStore.MapperWithDocuments();
            var document = mapper.ToDocument(trial);
            Assert.All(AtOnce(() => mapper.ToObject<TrialDoc>(document)), r =>
            {
                Assert.Null(r.Failure);
                Assert.Equal("gpt2", r.Value!.Model);
                Assert.Equal(trial.Axes, r.Value.Axes);
            });
        }
    }

    /// <summary>What <paramref name="work"/> returned, or threw, on each of four threads released together.</summary>
    static (T? Value, Exception? Failure)[] AtOnce<T>(Func<T> work)
    {
        const int threads = 4;
        using var start = new Barrier(threads);
        var results = new (T? Value, Exception? Failure)[threads];
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            try { results[i] = (work(), null); }
            catch (Exception e) { results[i] = (default, e); }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        return results;
    }

    [Fact]
    public void Every_collection_the_store_keeps_has_its_document_type_mapped_up_front()
    {
        var collections = typeof(ResultStore).GetProperties()
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(ILiteCollection<>))
            .Select(p => p.PropertyType.GetGenericArguments()[0]);
        Assert.Equal(collections.OrderBy(t => t.Name), ResultStore.DocumentTypes.OrderBy(t => t.Name));
    }
}
