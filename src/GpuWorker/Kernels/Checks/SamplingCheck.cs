using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using static GptBench.GpuWorker.Kernels.Checks.CheckReport;
using static GptBench.GpuWorker.Kernels.Checks.LaunchTiming;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>`check-kernels sampling`: greedy against argmax, and top-k draws against softmax(top-k / T).</summary>
static class SamplingCheck
{
    public static int Run(Gpt2Config c, CudaStream stream, TextWriter output)
    {
        int V = c.VocabSize, rows = GemvKernel.LmHeadRowsPerBlock;
        using var scope = NewDisposeScope();
        using var sampler = new TokenSampler(V, CUDA);
        var state = zeros(3, ScalarType.Int32, device: CUDA);
        var seed = tensor(new long[] { 42 }, device: CUDA);
        var history = zeros(1 << 16, ScalarType.Int32, device: CUDA);
        var failed = 0;
        var spread = randn(V, device: CUDA).mul_(3);
        // The first 64 rows (two of the lm_head's blocks) far above the rest (whose largest is ~13): those blocks hold
        // the whole top 50, more than the keys the lm_head writes for a block, so the one-block draw must read their rows.
        var clustered = spread.clone();
        clustered.narrow(0, 0, 2 * rows).add_(20);
        // Both draws: 32 blocks over chunks of the logits, and one block from the lm_head's block keys (here computed
        // on the host from the same logits) where that applies; the clustered logits for the second only.
        foreach (var (logits, fromBlocks, how) in new[]
                 {
                     (spread, false, ""), (spread, true, ", one block from the lm_head's block keys"),
                     (clustered, true, ", one block from the lm_head's block keys, the top k clustered"),
                 })
        {
            var blockKeys = fromBlocks // as the lm_head writes them
                ? tensor(TokenSampler.BlockKeys(logits.cpu().data<float>().ToArray(), rows).Select(k => (long)k).ToArray(), device: CUDA)
                : null;
            Action<IntPtr, SamplingSpec> launch = (s, spec) =>
                sampler.Launch(s, spec, logits, seed, state, history, IntPtr.Zero, 0, blockKeys, rows);

            launch(stream.Handle, new SamplingSpec(Greedy: true));
            stream.Synchronize();
            var argmax = logits.argmax().item<long>();
            var greedyOk = state[0].item<int>() == argmax;
            output.WriteLine(Line(greedyOk, $"sampling greedy = argmax{how}", 0,
                TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) launch(s, new SamplingSpec(Greedy: true)); }), 4L * V));
            if (!greedyOk) failed++;

            // Top-k at temperature 0.5: draws stay in the top k and follow softmax(top-k logits / T). k = 100 takes
            // 7 of top_k_by_count's 8 rounds a warp; k = 1000 is more than one block's chunk of logits, so every block
            // hands on its whole chunk (and the one-block draw does not apply: more than its MAX_CHOSEN).
            const int draws = 20000;
            foreach (var k in new[] { 50, 100, 1000 })
            {
                var spec = new SamplingSpec(Greedy: false, Temperature: 0.5, TopK: k);
                if (fromBlocks && !TokenSampler.FromBlockKeys(spec, V, rows)) continue;
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
                output.WriteLine(Line(samplingOk, $"sampling top-{k} T=0.5{how} ({draws} draws, {inTopK:0} in top-k, total variation {totalVariation:0.000}, noise {noise:0.000})", totalVariation, us, 4L * V));
                if (!samplingOk) failed++;
            }
        }
        return failed;
    }
}
