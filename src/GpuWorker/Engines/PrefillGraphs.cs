using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Engines;

/// <summary>
/// The prefill captured into CUDA graphs, one per bucketed prompt length (the prompt padded up to it),
/// so time to first token is GPU time rather than ~200 host-side op launches. Each graph ends with
/// <c>then(logits)</c>, the engine's own work on the last position's logits, which must write only
/// into tensors that outlive the graph.
/// </summary>
internal sealed class PrefillGraphs : IDisposable
{
    static readonly int[] Buckets = [16, 32, 64, 128, 256, 512, 1024];

    /// <summary>The padded prompt lengths graphs are captured for in a context of <paramref name="positions"/>.</summary>
    public static IEnumerable<int> BucketsUpTo(int positions) => Buckets.Where(b => b <= positions);

    /// <summary>The bucket a prompt of <paramref name="length"/> tokens runs in, or 0 when it is longer than every bucket up to <paramref name="positions"/>.</summary>
    public static int BucketFor(int length, int positions) => BucketsUpTo(positions).FirstOrDefault(b => b >= length);

    readonly Gpt2 model;
    readonly KvCache cache;
    readonly CudaStream stream;
    readonly Tensor last;
    readonly Dictionary<(int Bucket, object Key), (CudaGraph Graph, Tensor Tokens)> graphs = [];
    readonly List<IDisposable> captured = [];

    public PrefillGraphs(Gpt2 model, KvCache cache, CudaStream stream)
    {
        this.model = model;
        this.cache = cache;
        this.stream = stream;
        last = zeros([1], ScalarType.Int64, model.Device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Captures a graph for every bucket that fits the context (and is longer than <paramref name="longerThan"/>), for one
    /// kind of <paramref name="then"/> (named by <paramref name="key"/>).
    /// </summary>
    public void Prepare(object key, Action<Tensor> then, int longerThan = 0)
    {
        foreach (var bucket in BucketsUpTo(model.Config.NPositions).Where(b => b > longerThan))
        {
            if (graphs.ContainsKey((bucket, key))) continue;
            var tokens = zeros([bucket], ScalarType.Int64, model.Device).DetachFromDisposeScope();
            last.fill_(bucket - 1);
            void Body() => then(model.Prefill(tokens, cache, last));
            using (NewDisposeScope())
                Body(); // so the caching allocator holds every block before capture
            stream.Synchronize();
            using var scope = NewDisposeScope();
            graphs[(bucket, key)] = (CudaGraph.Capture(stream, Body), tokens);
            var kept = scope.DisposablesView.ToList();
            scope.Detach(kept);
            captured.AddRange(kept);
        }
    }

    /// <summary>Enqueues the prefill of <paramref name="prompt"/>; false when it is longer than every bucket (run it op by op then).</summary>
    public bool TryRun(int[] prompt, object key)
    {
        var bucket = BucketFor(prompt.Length, model.Config.NPositions);
        if (bucket == 0 || !graphs.TryGetValue((bucket, key), out var entry)) return false;
        var padded = new long[bucket];
        for (var i = 0; i < prompt.Length; i++) padded[i] = prompt[i];
        using (NewDisposeScope())
            entry.Tokens.copy_(tensor(padded));
        last.fill_(prompt.Length - 1);
        entry.Graph.Launch();
        return true;
    }

    public void Dispose()
    {
        foreach (var (graph, tokens) in graphs.Values)
        {
            graph.Dispose();
            tokens.Dispose();
        }
        foreach (var t in captured) t.Dispose();
        last.Dispose();
    }
}
