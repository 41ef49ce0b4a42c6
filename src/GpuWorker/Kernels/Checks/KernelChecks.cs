using GptBench.CommandLine;
using GptBench.GpuWorker.Native;
using static GptBench.GpuWorker.Kernels.Checks.CheckModels;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>
/// `check-kernels`: every kernel against the TorchSharp computation it replaces, on fresh random
/// inputs, then timed (CUDA graph of repeated launches, CUDA events, median of several replays, inputs
/// rotated so the working set exceeds L2) with the achieved GB/s against the device-to-device ceiling.
/// One file a group of checks beside this one; KernelCheckOptions says which run.
/// </summary>
public static class KernelChecks
{
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
            if (options.Wanted("gemv")) failed += GemvCheck.Run(config, int8, stream, output);
        if (options.Wanted("attention")) failed += AttentionCheck.Run(config, stream, output);
        if (options.Wanted("sampling")) failed += SamplingCheck.Run(config, stream, output);
        foreach (var int8 in options.Int8)
            if (options.Wanted("step")) failed += StepCheck.Run(config, int8, options.PersistentLayers, stream, output);
        foreach (var int8 in options.Int8)
            if (options.Wanted("prefill")) failed += PrefillCheck.Run(config, int8, stream, output);
        if (options.Wanted("ttft"))
        {
            using var model = PerturbedModel(config);
            foreach (var int8 in options.Int8) failed += FirstTokenCheck.Run(model, int8, output);
        }
        output.WriteLine(failed == 0 ? "all kernel checks pass" : $"{failed} kernel checks FAIL");
        return failed == 0 ? 0 : 1;
    }
}
