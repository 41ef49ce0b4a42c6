using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using static GptBench.GpuWorker.Kernels.Checks.CheckModels;
using static GptBench.GpuWorker.Kernels.Checks.CheckReport;
using static GptBench.GpuWorker.Kernels.Checks.LaunchTiming;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>`check-kernels step`: the whole decode step against Gpt2.Decode, timed, with the layer kernel's phases and what the lm_head and top-k sampling add.</summary>
static class StepCheck
{
    /// <summary>
    /// A whole step (layers, lm_head, sampling) against Gpt2.Decode in fp32 with the same (rounded) weights and
    /// cache, for each of <paramref name="layerKinds"/> (the persistent layer kernel, five launches a layer); then each
    /// timed over positions 0..
    /// </summary>
    public static int Run(Gpt2Config c, bool int8, IReadOnlyList<bool> layerKinds, CudaStream stream, TextWriter output)
    {
        using var scope = NewDisposeScope();
        using var model = PerturbedModel(c);
        using var weights = new FusedWeights(model, int8);
        using var reference = Gpt2.FromWeights(c, ReferenceWeights(model, weights), ScalarType.Float32, CUDA);
        var failed = 0;
        foreach (var persistent in layerKinds)
        {
            if (persistent && !LayerKernel.Fits(c, int8, out var reason))
            {
                output.WriteLine($"skip decode step {(int8 ? "int8" : "bf16")} persistent layers: {reason}");
                continue;
            }
            using var cache = new StaticKvCache(c, ScalarType.BFloat16, CUDA, c.NPositions);
            using var decoder = new FusedDecoder(c, weights, cache.Data, CUDA, persistent);
            var what = $"decode step {(int8 ? "int8" : "bf16")} {(persistent ? "persistent layers" : "5 launches a layer")}";
            foreach (var position in new[] { 0, 127, c.NPositions - 1 })
            {
                using var refCache = new StaticKvCache(c, ScalarType.Float32, CUDA, c.NPositions);
                refCache.Data.copy_(randn_like(refCache.Data).to(ScalarType.BFloat16)); // what the bf16 cache can hold
                cache.Data.copy_(refCache.Data);
                const int token = 50;
                decoder.Start(position);
                decoder.State[0] = token;
                decoder.Step(stream.Handle, new SamplingSpec(Greedy: true), IntPtr.Zero, 0);
                stream.Synchronize();
                var expected = reference.Decode(tensor(new long[] { token }, device: CUDA), tensor(new long[] { position }, device: CUDA), refCache);
                var error = RelativeError(decoder.Logits, expected);
                var newEntries = cache.Data.select(3, position).to(ScalarType.Float32);
                var cacheError = RelativeError(newEntries, refCache.Data.select(3, position));
                var ok = error < 5e-3 && cacheError < 1e-2 && decoder.State[1].item<int>() == position + 1;
                output.WriteLine($"{(ok ? "ok  " : "FAIL")} {what + $" pos={position}",-52} error {error:0.0e+0}  (new cache entries {cacheError:0.0e+0})");
                if (!ok) failed++;
            }
            decoder.Start(0);
            var us = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) decoder.Step(s, new SamplingSpec(Greedy: true), IntPtr.Zero, 0); });
            var (withoutLmHead, topK) = StepParts(decoder, stream); // before the trace below is on
            if (decoder.Layers is { } layers)
            {
                // One traced step at position 127 (after the timing, which runs untraced): where each phase's time goes.
                layers.EnableTrace(CUDA);
                decoder.Start(127);
                decoder.Step(stream.Handle, new SamplingSpec(Greedy: true), IntPtr.Zero, 0);
                stream.Synchronize();
                output.WriteLine("     phase (us, medians over blocks and layers 1..L-1):  wait release  input   work   span");
                foreach (var p in layers.Profile())
                    output.WriteLine($"     {p.Phase,-10} {Us(p.Wait),24} {Us(p.Release),7} {p.Input,6:0.00} {p.Work,6:0.00} {p.Span,6:0.00}");
                string Straggler((int Block, int Layers) m)
                {
                    var (head, index) = LayerKernel.HeadGroupOf(m.Block, (int)layers.Blocks, c.NHead);
                    return $"block {m.Block} (head {head}'s {index}; {m.Layers} of {c.NLayer - 1} layers)";
                }
                foreach (var s in layers.Stragglers())
                    output.WriteLine($"     {s.Phase} barrier: the last block {s.LastBehindMedian:0.00} us after the median one; most often last: "
                        + string.Join(", ", s.MostOftenLast.Select(Straggler)));
            }
            output.WriteLine(Line(true, $"{what} positions 0..{LaunchesPerGraph * (Replays + 1)} ({1e6 / us.Median:0} tok/s)", 0, us, weights.BytesPerToken(c)));
            output.WriteLine($"     us a step, by {LaunchesPerGraph} positions from {LaunchesPerGraph}: {string.Join(" ", us.InOrder.Select(t => $"{t:0.0}"))}");
            output.WriteLine($"     the same steps without the lm_head {withoutLmHead.Median:0.00} us ({withoutLmHead.Min:0.00}..{withoutLmHead.Max:0.00}): "
                + $"its share {us.Median - withoutLmHead.Median:0.00}; sampling top-{LadderSampling.TopK} at T {LadderSampling.Temperature} "
                + $"{topK.Median:0.00} us ({topK.Min:0.00}..{topK.Max:0.00}): its share over greedy {topK.Median - us.Median:0.00}");
        }
        return failed;
    }

    /// <summary>
    /// What the lm_head and top-k sampling add to a timed step where the kernels overlap (each starts under the one before
    /// it), which their times alone do not show: the same steps from position 0 without the lm_head (the sampler then
    /// draws from stale logits and block keys, the same work), and with the ladder's top-k sampling instead of greedy.
    /// </summary>
    static (Timing WithoutLmHead, Timing TopK) StepParts(FusedDecoder decoder, CudaStream stream)
    {
        var greedy = new SamplingSpec(Greedy: true);
        decoder.Start(0);
        var withoutLmHead = TimeLaunches(stream, s =>
        {
            for (var i = 0; i < LaunchesPerGraph; i++)
            {
                decoder.RunLayers(s);
                decoder.Sample(s, greedy, IntPtr.Zero, 0, afterLmHead: true);
            }
        });
        decoder.Start(0);
        var topK = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) decoder.Step(s, LadderSampling, IntPtr.Zero, 0); });
        return (withoutLmHead, topK);
    }
}
