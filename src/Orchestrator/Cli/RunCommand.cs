using GptBench.Analysis.Store;
using GptBench.GpuWorker.Engines;
using GptBench.Analysis.Cli;
using GptBench.CommandLine;
using GptBench.Orchestrator.Engines;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Hosting;
using GptBench.Orchestrator.Progress;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Cli;

/// <summary>`gptbench run FILE.yaml`: the whole sweep on this machine, resumable.</summary>
public static class RunCommand
{
    public const string Help = $"""
        usage: gptbench run FILE.yaml [--db PATH] [--fresh] [--gpus LIST | --cpu-slots N] [--max-attempts N] [--plain]

        Runs every trial of the experiment on this machine: one worker per visible GPU, or one CPU
        worker when there is none; each worker pulls the next trial when it is free. Running the same
        file again resumes its newest sweep (finished trials are skipped); --fresh starts a new sweep.
          --db PATH          result store (default: $GPTBENCH_DB or ./gptbench.db)
        {SlotOptions.Help}
          --max-attempts N   tries per trial before it is marked failed (default 2)
          --plain            log lines instead of the live display (the default when stdout is not a terminal)
        """;

    public static async Task<int> RunAsync(string[] argv)
    {
        var args = ParsedCommand.Parse(argv, ["db", .. SlotOptions.Names, "max-attempts"], ["fresh", "plain"]);
        if (args.Positionals.Count != 1) throw new UsageException("run takes one experiment file");
        var experiment = ExperimentLoader.Load(args.Positionals[0]);
        var maxAttempts = args.Int("max-attempts", 2, min: 1);
        var slots = SlotOptions.From(args, GpuInventory.UsableGpus());
        var devices = DeviceResolver.For(experiment, slots);

        var gitCommit = BuildInfo.GitCommit;
        using var store = new ResultStore(StorePath.Of(args));
        var plan = SweepPlanner.Plan(experiment, store, args.Flag("fresh"), devices.Resolve, gitCommit);
        IProgressSink progress = ProgressSinks.ForConsole(plain: args.Flag("plain"));
        var outcome = await SweepHost.RunAsync(plan, store, slots, progress, maxAttempts, gitCommit);
        (progress as IDisposable)?.Dispose();
        if (outcome is null)
        {
            Console.Error.WriteLine($"sweep {plan.Sweep.Id} interrupted; run the same command again to resume");
            return ExitCodes.Failure;
        }
        Console.WriteLine($"results: {Path.GetFullPath(StorePath.Of(args))} (sweep {outcome.SweepId})");
        return outcome.Complete ? ExitCodes.Success : ExitCodes.Failure;
    }
}

/// <summary>
/// Turns each trial's `device` into the one it runs on, before anything runs: `auto` picks CUDA when the
/// workers have GPU slots, else the CPU (said once); `cuda` without a GPU slot is bad input.
/// </summary>
public sealed record DeviceResolver(bool CudaUsable)
{
    public static DeviceResolver For(Experiment experiment, IReadOnlyList<WorkerSlot> slots)
    {
        var gpuSlots = slots.Count(s => s.Gpu is not null);
        var resolver = new DeviceResolver(gpuSlots > 0);
        var wantsCuda = experiment.Trials.Any(t => t.Device == "cuda");
        if (wantsCuda && !resolver.CudaUsable)
            throw new UsageException($"{experiment.File}: device: cuda, but {WhyNoCuda()}");
        if (experiment.Trials.Any(t => t.Device == "auto"))
            Console.Error.WriteLine(resolver.CudaUsable
                ? $"device auto: using CUDA ({gpuSlots} GPU worker(s))"
                : "device auto: no usable CUDA GPU, running on the CPU");
        var cpuOnly = experiment.Trials.FirstOrDefault(t => EngineNames.NeedsCuda(t.Engine) && resolver.Resolve(t.Device) == "cpu");
        if (cpuOnly is not null)
            throw new UsageException($"{experiment.File}: engine {cpuOnly.Engine} needs a CUDA device, but its trials would run on the CPU");
        return resolver;
    }

    static string WhyNoCuda() =>
        GpuInventory.VisibleGpus().Count == 0 ? "no NVIDIA GPU is visible"
        : TorchLocator.CudaTorchLib() is null ? "no CUDA libtorch was found (set GPTBENCH_LIBTORCH to torch's lib folder, or install PyTorch with CUDA for python3)"
        : "--cpu-slots asks for CPU workers only";

    public string Resolve(string device) => device == "auto" ? (CudaUsable ? "cuda" : "cpu") : device;
}
