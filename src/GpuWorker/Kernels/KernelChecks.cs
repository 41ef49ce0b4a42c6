using System.Diagnostics;
using GptBench.CommandLine;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// `check-kernels`: every kernel against the TorchSharp computation it replaces, on fresh random
/// inputs, then timed (CUDA graph of repeated launches, CUDA events, median of several replays, inputs
/// rotated so the working set exceeds L2) with the achieved GB/s against the device-to-device ceiling.
/// </summary>
public static class KernelChecks
{
    const double CeilingBytesPerSecond = 3.0e12; // H100 device-to-device copy, GPU-NOTES.md
    const int LaunchesPerGraph = 50, Replays = 7;

    /// <returns>0 when every check passes, 1 when one fails, 2 on bad arguments.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter log)
    {
        if (args.Any(ParsedCommand.IsHelp))
        {
            output.WriteLine(KernelCheckOptions.Usage);
            return 0;
        }
        KernelCheckOptions options;
        try
        {
            options = KernelCheckOptions.Parse(args);
        }
        catch (UsageException e)
        {
            log.WriteLine($"check-kernels: {e.Message}\n{KernelCheckOptions.Usage}");
            return 2;
        }
        TorchRuntime.Initialize();
        var config = options.Model;
        using var stream = new CudaStream(0);
        stream.MakeCurrent();
        manual_seed(1234);
        var failed = 0;
        foreach (var int8 in options.Int8)
            if (options.Wanted("gemv")) failed += CheckGemv(config, int8, stream, output);
        if (options.Wanted("attention")) failed += CheckAttention(config, stream, output);
        if (options.Wanted("sampling")) failed += CheckSampling(config, stream, output);
        foreach (var int8 in options.Int8)
            if (options.Wanted("step")) failed += CheckStep(config, int8, options.PersistentLayers, stream, output);
        foreach (var int8 in options.Int8)
            if (options.Wanted("prefill")) failed += CheckPrefill(config, int8, stream, output);
        if (options.Wanted("ttft"))
        {
            using var model = PerturbedModel(config);
            foreach (var int8 in options.Int8) failed += FirstTokenCheck.Run(model, int8, output);
        }
        output.WriteLine(failed == 0 ? "all kernel checks pass" : $"{failed} kernel checks FAIL");
        return failed == 0 ? 0 : 1;
    }

    // ---- matrix-vector products ---------------------------------------------------------------

    static int CheckGemv(Gpt2Config c, bool int8, CudaStream stream, TextWriter output)
    {
        var gemv = new GemvKernel(int8);
        var C = c.NEmbd;
        (string Kernel, int N, int K)[] shapes =
        [
            ("gemv_ln_bias", 3 * C, C), ("gemv_bias_residual", C, C), ("gemv_ln_bias_gelu", 4 * C, C),
            ("gemv_bias_residual", C, 4 * C), (GemvKernel.LmHead, c.VocabSize, C),
        ];
        var failed = 0;
        foreach (var (kernel, n, k) in shapes)
        {
            using var scope = NewDisposeScope();
            var weight = randn(n, k, device: CUDA).mul_(0.05);
            var m = FusedWeights.ToMatrix(weight, int8);
            var bias = randn(n, device: CUDA).mul_(0.1);
            var x = randn(k, device: CUDA);
            var lnW = randn(k, device: CUDA).mul_(0.1).add_(1);
            var lnB = randn(k, device: CUDA).mul_(0.1);
            var residual = randn(n, device: CUDA);
            var ln = kernel.StartsWith("gemv_ln", StringComparison.Ordinal);
            var input = ln ? nn.functional.layer_norm(x, [k], lnW, lnB, 1e-5) : x;
            var reference = FusedWeights.Dequantize(m).matmul(input);
            if (kernel != GemvKernel.LmHead) reference = reference.add(bias);
            if (kernel.EndsWith("gelu", StringComparison.Ordinal)) reference = reference.gelu(TorchSharp.Modules.GELU.Approximate.tanh);
            if (kernel == "gemv_bias_residual") reference = reference.add(residual);

            var y = kernel == "gemv_bias_residual" ? residual.clone() : full(n, float.NaN, device: CUDA); // poisoned: every element must be written
            Func<IntPtr, FusedWeights.Matrix, string> launch = (s, mm) => gemv.Launch(s, kernel, mm, bias, x, lnW, lnB, 1e-5f, y, n, k);
            var name = launch(stream.Handle, m);
            stream.Synchronize();
            var error = RelativeError(y, reference);
            var ok = error < 1e-4 && !y.isnan().any().item<bool>();

            // Timing: enough weight copies that the rotation does not fit in L2.
            var copies = (int)Math.Clamp(Math.Ceiling(150e6 / m.Bytes), 1, LaunchesPerGraph);
            var rotation = Enumerable.Range(0, copies).Select(_ => FusedWeights.ToMatrix(randn(n, k, device: CUDA).mul_(0.05), int8)).ToList();
            var us = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) launch(s, rotation[i % copies]); });
            var bytes = m.Bytes + 4L * (k + 2 * n);
            output.WriteLine(Line(ok, $"gemv {(int8 ? "int8" : "bf16")} {name} {n}x{k}", error, us, bytes));
            if (!ok) failed++;
        }
        return failed;
    }

    // ---- attention ------------------------------------------------------------------------------

    static int CheckAttention(Gpt2Config c, CudaStream stream, TextWriter output)
    {
        int H = c.NHead, D = c.HeadDim, T = c.NPositions, C = c.NEmbd;
        var failed = 0;
        foreach (var position in new[] { 0, 127, T - 1 })
        {
            using var scope = NewDisposeScope();
            var qkv = randn(3 * C, device: CUDA);
            var keys = randn(H, T, D, device: CUDA).to(ScalarType.BFloat16);
            var values = randn(H, T, D, device: CUDA).to(ScalarType.BFloat16);
            var pos = tensor(new[] { position }, ScalarType.Int32, device: CUDA);
            using var attention = new AttentionKernel(c, CUDA); // fresh workspace for each position
            var output1 = full(C, float.NaN, device: CUDA);

            var q = qkv.narrow(0, 0, C).view(H, 1, D);
            var kNew = qkv.narrow(0, C, C).view(H, 1, D);
            var vNew = qkv.narrow(0, 2 * C, C).view(H, 1, D);
            var kAll = cat([keys.narrow(1, 0, position).to(ScalarType.Float32), kNew.to(ScalarType.BFloat16).to(ScalarType.Float32)], 1);
            var vAll = cat([values.narrow(1, 0, position).to(ScalarType.Float32), vNew.to(ScalarType.BFloat16).to(ScalarType.Float32)], 1);
            var reference = softmax(q.matmul(kAll.transpose(1, 2)).div(Math.Sqrt(D)), -1).matmul(vAll).view(C);

            Action<IntPtr> launch = s => attention.Launch(s, qkv, Pointers.Of(keys), Pointers.Of(values), Pointers.Of(pos), output1);
            launch(stream.Handle);
            stream.Synchronize();
            // The kernel uses the new key/value in fp32 and the cached ones in bf16: the reference rounds the new ones too, so allow bf16-level error.
            var error = RelativeError(output1, reference);
            var stored = keys[.., position].to(ScalarType.Float32).sub(kNew.squeeze(1)).abs().max().item<float>();
            var ok = error < 1e-2 && stored < 0.05 && attention.Counters.sum().item<long>() == 0;
            var us = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) launch(s); });
            output.WriteLine(Line(ok, $"attention H={H} D={D} pos={position}", error, us, 2L * H * (position + 1) * D * 2));
            if (!ok) failed++;
        }
        return failed;
    }

    // ---- sampling -------------------------------------------------------------------------------

    static int CheckSampling(Gpt2Config c, CudaStream stream, TextWriter output)
    {
        int V = c.VocabSize;
        using var scope = NewDisposeScope();
        using var sampler = new TokenSampler(V, CUDA);
        var logits = randn(V, device: CUDA).mul_(3);
        var state = zeros(3, ScalarType.Int32, device: CUDA);
        var seed = tensor(new long[] { 42 }, device: CUDA);
        var history = zeros(1 << 16, ScalarType.Int32, device: CUDA);
        Action<IntPtr, SamplingSpec> launch = (s, spec) => sampler.Launch(s, spec, logits, seed, state, history, IntPtr.Zero, 0);
        var failed = 0;

        launch(stream.Handle, new SamplingSpec(Greedy: true));
        stream.Synchronize();
        var argmax = logits.argmax().item<long>();
        var greedyOk = state[0].item<int>() == argmax;
        output.WriteLine(Line(greedyOk, "sampling greedy = argmax", 0, TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) launch(s, new SamplingSpec(Greedy: true)); }), 4L * V));
        if (!greedyOk) failed++;

        // Top-k at temperature 0.5: draws stay in the top k and follow softmax(top-k logits / T). k = 1000 is
        // more than one block's chunk of logits, so every block hands on its whole chunk.
        const int draws = 20000;
        foreach (var k in new[] { 50, 1000 })
        {
            var spec = new SamplingSpec(Greedy: false, Temperature: 0.5, TopK: k);
            state.zero_();
            for (var i = 0; i < draws; i++) launch(stream.Handle, spec);
            stream.Synchronize();
            var drawn = history.narrow(0, 0, draws).to(ScalarType.Int64);
            var (topValues, topIndices) = logits.topk(k);
            var expected = softmax(topValues.div(0.5), 0);
            var counts = zeros(V, device: CUDA).index_add_(0, drawn, ones(draws, device: CUDA), 1);
            var inTopK = counts.index_select(0, topIndices).sum().item<float>();
            var observed = counts.index_select(0, topIndices).div(draws);
            var totalVariation = observed.sub(expected).abs().sum().item<float>() / 2;
            // Sampling noise alone gives E|observed - p| = sqrt(2 p (1 - p) / (pi draws)) per token: the bound is 3x its
            // total variation, so a wrong temperature or a token outside the top k still fails clearly.
            var noise = expected.mul(expected.neg().add(1)).mul(2 / (Math.PI * draws)).sqrt().sum().item<float>() / 2;
            var samplingOk = inTopK == draws && totalVariation < 3 * noise;
            var us = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) launch(s, spec); });
            output.WriteLine(Line(samplingOk, $"sampling top-{k} T=0.5 ({draws} draws, {inTopK:0} in top-k, total variation {totalVariation:0.000}, noise {noise:0.000})", totalVariation, us, 4L * V));
            if (!samplingOk) failed++;
        }
        return failed;
    }

    // ---- the whole decode step --------------------------------------------------------------------

    /// <summary>
    /// A whole step (layers, lm_head, sampling) against Gpt2.Decode in fp32 with the same (rounded) weights and
    /// cache, for each of <paramref name="layerKinds"/> (the persistent layer kernel, five launches a layer); then each
    /// timed over positions 0..
    /// </summary>
    static int CheckStep(Gpt2Config c, bool int8, IReadOnlyList<bool> layerKinds, CudaStream stream, TextWriter output)
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
            if (decoder.Layers is { } layers && !int8)
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
                + $"its share {us.Median - withoutLmHead.Median:0.00}; sampling top-{StepTopK.TopK} at T {StepTopK.Temperature} "
                + $"{topK.Median:0.00} us ({topK.Min:0.00}..{topK.Max:0.00}): its share over greedy {topK.Median - us.Median:0.00}");
        }
        return failed;
    }

    static readonly SamplingSpec StepTopK = new(Greedy: false, Temperature: 0.5, TopK: 50); // the ladder's sampling

    /// <summary>
    /// What the lm_head and top-k sampling add to a timed step where the kernels overlap (each starts under the one before
    /// it), which their times alone do not show: the same steps from position 0 without the lm_head (the sampler then
    /// draws from stale logits, the same work), and with the ladder's top-k sampling instead of greedy.
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
                decoder.Sample(s, greedy, IntPtr.Zero, 0);
            }
        });
        decoder.Start(0);
        var topK = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) decoder.Step(s, StepTopK, IntPtr.Zero, 0); });
        return (withoutLmHead, topK);
    }

    /// <summary>
    /// Random bf16 GPT-2 weights; GPT-2's initialization has zero biases and unit LayerNorms, so those are perturbed, so that
    /// a bias added in the wrong place (or twice) shows.
    /// </summary>
    internal static Gpt2 PerturbedModel(Gpt2Config c)
    {
        var model = Gpt2.Random(c, 7, ScalarType.BFloat16, CUDA);
        foreach (var (name, t) in model.Weights)
            if (name.EndsWith(".bias") || name.Contains("ln_"))
                t.add_(randn_like(t).mul_(0.1));
        return model;
    }

    // ---- the prefill ----------------------------------------------------------------------------------

    /// <summary>
    /// The prefill through prefill.cu against Gpt2.Prefill in fp32 with the same (rounded) weights: the last position's
    /// logits and every prompt position's cache entries, for prompts of a bucket's length, padded to one, and the whole
    /// context (the bf16 TorchSharp prefill's error beside, for scale); then timed whole, and launch by launch (the ends,
    /// the first layer, and the last, which computes the prompt's last position only past its keys and values).
    /// </summary>
    static int CheckPrefill(Gpt2Config c, bool int8, CudaStream stream, TextWriter output)
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
                events[0].Record(stream);
                for (var i = 0; i < steps.Count; i++)
                {
                    steps[i].Enqueue(stream.Handle);
                    events[i + 1].Record(stream);
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
            var medians = us.Select(t => t.Order().ElementAt(t.Count / 2)).ToList();
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

    /// <summary>The model's weights with every matrix and embedding as the kernels see it (bf16 or int8, dequantized), in HF's layout.</summary>
    static Dictionary<string, Tensor> ReferenceWeights(Gpt2 model, FusedWeights w)
    {
        var weights = model.Weights.ToDictionary(kv => kv.Key, kv => kv.Value);
        weights["wte.weight"] = FusedWeights.Dequantize(w.Wte);
        weights["wpe.weight"] = FusedWeights.Dequantize(w.Wpe);
        for (var i = 0; i < w.Layers.Count; i++)
        {
            var l = w.Layers[i];
            weights[$"h.{i}.attn.c_attn.weight"] = FusedWeights.Dequantize(l.Attn).t();
            weights[$"h.{i}.attn.c_proj.weight"] = FusedWeights.Dequantize(l.AttnProj).t();
            weights[$"h.{i}.mlp.c_fc.weight"] = FusedWeights.Dequantize(l.Fc).t();
            weights[$"h.{i}.mlp.c_proj.weight"] = FusedWeights.Dequantize(l.MlpProj).t();
        }
        return weights;
    }

    // ---- helpers --------------------------------------------------------------------------------

    /// <summary>Microseconds to two places, or "-" where there is no such time (a phase without a barrier).</summary>
    static string Us(double us) => double.IsNaN(us) ? "-" : us.ToString("0.00");

    static double RelativeError(Tensor actual, Tensor reference) =>
        actual.to(ScalarType.Float64).sub(reference.to(ScalarType.Float64)).norm().item<double>() / reference.to(ScalarType.Float64).norm().item<double>();

    /// <summary>Microseconds per launch: median, fastest and slowest replay, and every replay in the order run.</summary>
    record struct Timing(double Median, double Min, double Max, IReadOnlyList<double> InOrder);

    /// <summary>Microseconds per launch: a graph of LaunchesPerGraph launches replayed Replays times, each timed with events.</summary>
    static Timing TimeLaunches(CudaStream stream, Action<IntPtr> body)
    {
        using var graph = CudaGraph.Capture(stream, () => body(stream.Handle));
        using var start = new CudaEvent();
        using var end = new CudaEvent();
        graph.Launch();
        stream.Synchronize();
        var inOrder = new List<double>();
        for (var r = 0; r < Replays; r++)
        {
            start.Record(stream);
            graph.Launch();
            end.Record(stream);
            end.Synchronize();
            inOrder.Add(CudaEvent.ElapsedMs(start, end) * 1000.0 / LaunchesPerGraph);
        }
        var times = inOrder.Order().ToList();
        return new Timing(times[times.Count / 2], times[0], times[^1], inOrder);
    }

    static string Line(bool ok, string what, double error, Timing us, long bytes)
    {
        var gbs = bytes / (us.Median * 1e-6) / 1e9;
        return $"{(ok ? "ok  " : "FAIL")} {what,-52} error {error:0.0e+0}  {us.Median,8:0.00} us ({us.Min:0.00}..{us.Max:0.00} over {Replays})  "
            + $"{gbs,7:0} GB/s  ({100 * gbs * 1e9 / CeilingBytesPerSecond:0}% of 3.0 TB/s)";
    }
}
