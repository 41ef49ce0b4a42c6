using GptBench.CommandLine;
using GptBench.GpuWorker.Model;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>
/// What `check-kernels` runs: <c>[MODEL] [GROUP...] [--dtype bf16|int8] [--layers persistent|per-kernel]</c>. Every group,
/// weight type and layer kind unless narrowed, so that a kernel change can be checked and timed on just what it
/// touches (device time is short); a name it does not know is an error, never a run that checks nothing.
/// </summary>
public sealed record KernelCheckOptions(Gpt2Config Model, IReadOnlySet<string> Groups, IReadOnlyList<bool> Int8, IReadOnlyList<bool> PersistentLayers)
{
    public static readonly string[] AllGroups = ["gemv", "attention", "sampling", "step", "prefill", "ttft"];

    public static readonly string Usage =
        "usage: check-kernels [MODEL] [" + string.Join("|", AllGroups) + " ...] [--dtype bf16|int8] [--layers persistent|per-kernel]\n"
        + "  MODEL: a preset (default gpt2); groups: all unless named; --dtype narrows gemv, step, prefill and ttft to one weight type,\n"
        + "  --layers the step to one layer kernel.";

    public bool Wanted(string group) => Groups.Contains(group);

    public static KernelCheckOptions Parse(IReadOnlyList<string> args)
    {
        var parsed = ParsedCommand.Parse(args, ["dtype", "layers"]);
        var positionals = parsed.Positionals.ToList();
        var model = Presets.All["gpt2"];
        if (positionals.Count > 0 && !AllGroups.Contains(positionals[0]))
        {
            if (!Presets.All.TryGetValue(positionals[0], out var preset))
                throw new UsageException($"'{positionals[0]}' is neither a model ({string.Join(", ", Presets.All.Keys.Order())}) nor a group ({string.Join(", ", AllGroups)})");
            model = preset;
            positionals.RemoveAt(0);
        }
        foreach (var group in positionals.Where(g => !AllGroups.Contains(g)))
            throw new UsageException($"unknown group '{group}' (expected {string.Join(", ", AllGroups)})");
        var int8 = parsed.Value("dtype") switch
        {
            null => new[] { false, true },
            "bf16" => [false],
            "int8" => [true],
            var other => throw new UsageException($"--dtype must be bf16 or int8, got '{other}'"),
        };
        var persistent = parsed.Value("layers") switch
        {
            null => new[] { true, false },
            "persistent" => [true],
            "per-kernel" => [false],
            var other => throw new UsageException($"--layers must be persistent or per-kernel, got '{other}'"),
        };
        return new(model, (positionals.Count == 0 ? AllGroups.ToHashSet() : positionals.ToHashSet()), int8, persistent);
    }
}
