using System.Globalization;
using GptBench.CommandLine;
using GptBench.Orchestrator.Engines;

namespace GptBench.Orchestrator.Cli;

/// <summary>
/// Where `run` and `worker` put their worker actors: --gpus LIST (a GPU listed twice gets two slots),
/// --cpu-slots N, or by default one slot per usable GPU, else one CPU slot.
/// </summary>
public static class SlotOptions
{
    public static readonly string[] Names = ["gpus", "cpu-slots"];

    public const string Help = """
          --gpus LIST        one worker per listed GPU index, e.g. 0,1; list one twice (0,0) for two workers
                             on it (default: every visible GPU when a CUDA libtorch is found)
          --cpu-slots N      N workers on the CPU, sharing its cores (default 1 when there is no GPU)
        """;

    /// <param name="usableGpus">The GPUs engines can run on here (<see cref="GpuInventory.UsableGpus"/>).</param>
    public static IReadOnlyList<WorkerSlot> From(ParsedCommand args, IReadOnlyList<int> usableGpus)
    {
        if (args.Value("gpus") is { } list)
        {
            if (args.Value("cpu-slots") is not null) throw new UsageException("give --gpus or --cpu-slots, not both");
            var gpus = ParseGpus(list);
            if (gpus.FirstOrDefault(g => !usableGpus.Contains(g), -1) is var missing and >= 0)
                throw new UsageException(usableGpus.Count == 0
                    ? $"--gpus {list}: no usable CUDA GPU here (a visible NVIDIA GPU and a CUDA libtorch are needed)"
                    : $"--gpus {list}: GPU {missing} is not visible (visible: {string.Join(",", usableGpus)})");
            return WorkerSlot.ForGpus(gpus);
        }
        if (args.Value("cpu-slots") is not null)
            return WorkerSlot.Cpus(args.Int("cpu-slots", 1, min: 1));
        return usableGpus.Count > 0 ? WorkerSlot.ForGpus(usableGpus) : WorkerSlot.Cpus(1);
    }

    /// <summary>Comma-separated GPU indexes, repeats kept: "0,0" is two slots on GPU 0.</summary>
    public static IReadOnlyList<int> ParseGpus(string list)
    {
        var gpus = new List<int>();
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries))
            gpus.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var gpu)
                ? gpu
                : throw new UsageException($"--gpus must list GPU indexes like 0,1 or 0,0, got '{list}'"));
        return gpus;
    }
}
