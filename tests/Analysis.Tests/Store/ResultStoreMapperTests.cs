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
        const int threads = 4;
        for (var round = 0; round < 100; round++)
        {
            var mapper = ResultStore.MapperWithDocuments();
            using var start = new Barrier(threads);
            var mapped = new int[threads];
            var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                mapped[i] = mapper.ToDocument(sample).Keys.Count;
            })).ToList();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());
            Assert.All(mapped, n => Assert.Equal(fields, n));
        }
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
