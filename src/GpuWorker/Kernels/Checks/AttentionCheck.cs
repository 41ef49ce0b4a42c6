using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using static GptBench.GpuWorker.Kernels.Checks.CheckReport;
using static GptBench.GpuWorker.Kernels.Checks.LaunchTiming;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>`check-kernels attention`: the decode step's attention at the first, a middle and the last position against softmax(q k^T / sqrt(D)) v.</summary>
static class AttentionCheck
{
    public static int Run(Gpt2Config c, CudaStream stream, TextWriter output)
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
}
