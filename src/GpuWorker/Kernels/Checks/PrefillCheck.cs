using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using static GptBench.GpuWorker.Kernels.Checks.CheckModels;
using static GptBench.GpuWorker.Kernels.Checks.CheckReport;
using static GptBench.GpuWorker.Kernels.Checks.LaunchTiming;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>`check-kernels prefill`: our prefill against Gpt2.Prefill, timed whole, launch by launch, and in its real order.</summary>
static class PrefillCheck
{
    /// <summary>
    /// The prefill through prefill.cu against Gpt2.Prefill in fp32 with the same (rounded) weights: the last position's
    /// logits and every prompt position's cache entries, for prompts of a bucket's length, padded to one, and the whole
    /// context (the bf16 TorchSharp prefill's error beside, for scale); then timed whole, and launch by launch (the ends,
    /// the first layer, and the last, which computes the prompt's last position only past its keys and values).
    /// </summary>
    public static int Run(Gpt2Config c, bool int8, CudaStream stream, TextWriter output)
    {
        var what = $"prefill {(int8 ? "int8" : "bf16")}";
        if (!PrefillKernels.Fits(c, int8, CudaDriver.MaxSharedBytesPerBlock(), out var reason))
        {
            output.WriteLine($"skip {what}: {reason}");
            return 0;
        }
        using var scope = NewDisposeScope();
        using var model = PerturbedModel(c);
        using var weights = new FusedWeights(model, int8);
        using var reference = Gpt2.FromWeights(c, ReferenceWeights(model, weights), ScalarType.Float32, CUDA);
        using var cache = new StaticKvCache(c, ScalarType.BFloat16, CUDA, c.NPositions);
        using var decoder = new FusedDecoder(c, weights, cache.Data, CUDA, persistentLayers: false); // its X and lm_head
        using var prefill = new PrefillKernels(c, weights, cache.Data, CUDA, persistent: false); // both kinds are checked below
        var failed = 0;
        bool[] kinds = prefill.PersistentFits ? [false, true] : [false]; // five launches a layer, and one persistent launch
        foreach (var persistent in kinds)
        foreach (var (length, positions) in new[] { (16, 16), (100, 128), (c.NPositions, c.NPositions) })
        {
            using var inner = NewDisposeScope();
            var tokens = randint(0, c.VocabSize, [length], ScalarType.Int64, CUDA);
            cache.Data.fill_(float.NaN); // poisoned: every prompt position must be written
            decoder.X.fill_(float.NaN);
            prefill.SetPrompt(tokens.cpu().data<long>().Select(t => (int)t).ToArray(), positions, seed: 12345);
            foreach (var launch in prefill.Launches(positions, decoder.X, decoder.State, decoder.Seed, persistent)) launch.Enqueue(stream.Handle);
            decoder.LmHead(stream.Handle);
            stream.Synchronize();
            using var refCache = new StaticKvCache(c, ScalarType.Float32, CUDA, c.NPositions);
            var expected = reference.Prefill(tokens, refCache);
            var error = RelativeError(decoder.Logits, expected);
            var cacheError = RelativeError(cache.Data.narrow(3, 0, length), refCache.Data.narrow(3, 0, length));
            using var torchCache = new StaticKvCache(c, ScalarType.BFloat16, CUDA, c.NPositions);
            var torch = int8 ? "" : $", TorchSharp's bf16 prefill {RelativeError(model.Prefill(tokens, torchCache), expected):0.0e+0}";
            var started = decoder.State.cpu().data<int>().ToArray().SequenceEqual([0, length - 1, 0]) && decoder.Seed.item<long>() == 12345;
            var ok = error < 2e-2 && cacheError < 2e-2 && started;
            output.WriteLine($"{(ok ? "ok  " : "FAIL")} {what + $" {length} tokens as {positions} positions{(persistent ? ", one launch" : "")}",-52} error {error:0.0e+0}  (cache entries {cacheError:0.0e+0}{torch})");
            if (!ok) failed++;
        }
        foreach (var persistent in kinds)
        foreach (var positions in new[] { 16, 128, c.NPositions })
        {
            prefill.SetPrompt(Enumerable.Range(0, positions).Select(i => (i * 7919) % c.VocabSize).ToArray(), positions, seed: 1);
            var launches = prefill.Launches(positions, decoder.X, decoder.State, decoder.Seed, persistent).ToList();
            var us = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) { foreach (var l in launches) l.Enqueue(s); decoder.LmHead(s); } });
            // The four products a layer (12 C^2 a position); the five launches a layer compute the last layer's three after
            // QKV (9 C^2) for one position, the persistent launch for every one.
            var linearFlops = 2.0 * c.NEmbd * c.NEmbd * (persistent ? positions * 12L * c.NLayer : positions * (12L * c.NLayer - 9) + 9);
            output.WriteLine(Line(true, $"{what} {positions} positions + lm_head ({launches.Count + 1} launches, products {linearFlops / (us.Median * 1e-6) / 1e12:0} TFLOP/s)", 0, us, weights.BytesPerToken(c)));
            if (!persistent) output.WriteLine(InChain(stream, launches, decoder));
            foreach (var launch in launches.Where(l => l.Layer <= 0 || l.Layer == c.NLayer - 1)) // the last layer computes less
            {
                var one = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) launch.Enqueue(s); });
                output.WriteLine($"     {(launch.Layer < 0 ? "" : $"layer {launch.Layer}: ") + launch.What,-66} {one.Median,8:0.00} us ({one.Min:0.00}..{one.Max:0.00})");
            }
        }
        return failed;
    }

    /// <summary>
    /// Each kind of launch's share of one prefill + lm_head in its real order, each launch after its real predecessor:
    /// CUDA events between the launches of one captured prefill, the time from the event before a launch to the one
    /// after it, median of <see cref="Replays"/> replays, summed over the layers. The events keep each launch from
    /// starting before the previous one ends (no programmatic overlap), so the line also gives their total, to set
    /// against the prefill's time above.
    /// </summary>
    static string InChain(CudaStream stream, IReadOnlyList<PrefillKernels.Launch> launches, FusedDecoder decoder)
    {
        List<(string What, Action<IntPtr> Enqueue)> steps = [.. launches.Select(l => (l.What, l.Enqueue)), ("lm_head", decoder.LmHead)];
        var events = Enumerable.Range(0, steps.Count + 1).Select(_ => new CudaEvent()).ToList();
        try
        {
            using var graph = CudaGraph.Capture(stream, () =>
            {
                events[0].RecordInGraph(stream);
                for (var i = 0; i < steps.Count; i++)
                {
                    steps[i].Enqueue(stream.Handle);
                    events[i + 1].RecordInGraph(stream);
                }
            });
            var us = new List<double>[steps.Count];
            for (var i = 0; i < steps.Count; i++) us[i] = [];
            for (var r = 0; r < Replays; r++)
            {
                graph.Launch();
                stream.Synchronize();
                for (var i = 0; i < steps.Count; i++) us[i].Add(CudaEvent.ElapsedMs(events[i], events[i + 1]) * 1000.0);
            }
            var medians = us.Select(t => Timing.Of(t).Median).ToList();
            var byKind = steps.Select((step, i) => (Kind: step.What.Split(" (")[0], Us: medians[i]))
                .GroupBy(x => x.Kind).Select(g => $"{g.Key} {g.Count()} x {g.Average(x => x.Us):0.00} = {g.Sum(x => x.Us):0.0}");
            return $"     in the chain, events between launches (us, median of {Replays}): {string.Join("; ", byKind)}; total {medians.Sum():0.0}";
        }
        catch (CudaException e) // a diagnostic line: the checks above stand without it
        {
            return $"     in the chain: not measured ({e.Message})";
        }
        finally
        {
            foreach (var e in events) e.Dispose();
        }
    }
}
