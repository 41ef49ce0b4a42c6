using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using static GptBench.GpuWorker.Kernels.Checks.CheckReport;
using static GptBench.GpuWorker.Kernels.Checks.LaunchTiming;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>`check-kernels gemv`: each matrix-vector product of a layer and the lm_head against TorchSharp, then timed with its weights rotated past L2.</summary>
internal static class GemvCheck
{
    public static int Run(Gpt2Config c, bool int8, CudaStream stream, TextWriter output)
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
            // The lm_head also writes each block's best logits as sampler keys (the one-block draw's input); poisoned too.
            var blockKeys = kernel == GemvKernel.LmHead ? full(TokenSampler.BlockKeyCount(n, GemvKernel.LmHeadRowsPerBlock), -1L, ScalarType.Int64, device: CUDA) : null;
            // The lm_head takes ln_f folded into it, as the engine gives it (the rotation's copies below reuse this matrix's
            // fold: their outputs are not checked).
            using var fold = kernel == GemvKernel.LmHead ? LayerKernel.FoldNorm(m, null, lnW, lnB) : null;
            Func<IntPtr, FusedWeights.Matrix, string> launch = (s, mm) => fold is null
                ? gemv.Launch(s, kernel, mm, bias, x, lnW, lnB, 1e-5f, y, n, k)
                : gemv.Launch(s, kernel, mm, fold.Bias, x, lnW, null, 1e-5f, y, n, k, blockKeys, fold.GainSum);
            var name = launch(stream.Handle, m);
            stream.Synchronize();
            var error = RelativeError(y, reference);
            var keysDiffer = blockKeys is null ? 0 : BlockKeysDiffering(y, blockKeys);
            var ok = error < 1e-4 && !y.isnan().any().item<bool>() && keysDiffer == 0;

            // Timing: enough weight copies that the rotation does not fit in L2.
            var copies = (int)Math.Clamp(Math.Ceiling(150e6 / m.Bytes), 1, LaunchesPerGraph);
            var rotation = Enumerable.Range(0, copies).Select(_ => FusedWeights.ToMatrix(randn(n, k, device: CUDA).mul_(0.05), int8)).ToList();
            var us = TimeLaunches(stream, s => { for (var i = 0; i < LaunchesPerGraph; i++) launch(s, rotation[i % copies]); });
            var bytes = m.Bytes + 4L * (k + 2 * n);
            var keys = blockKeys is null ? "" : keysDiffer == 0 ? ", block keys exact" : $", {keysDiffer} block keys differ";
            output.WriteLine(Line(ok, $"gemv {(int8 ? "int8" : "bf16")} {name} {n}x{k}{keys}", error, us, bytes));
            if (!ok) failed++;
        }
        return failed;
    }

    /// <summary>
    /// How many of the lm_head's block keys differ from those of its block's rows of the logits it wrote
    /// (TokenSampler.BlockKeys), or are missing: the keys must be exact, since the sampler draws from them alone.
    /// </summary>
    internal static int BlockKeysDiffering(Tensor logits, Tensor blockKeys)
    {
        var expected = TokenSampler.BlockKeys(logits.cpu().data<float>().ToArray(), GemvKernel.LmHeadRowsPerBlock);
        var written = blockKeys.cpu().data<long>().ToArray();
        return written.Where((key, i) => i >= expected.Length || (ulong)key != expected[i]).Count() + Math.Max(0, expected.Length - written.Length);
    }
}
