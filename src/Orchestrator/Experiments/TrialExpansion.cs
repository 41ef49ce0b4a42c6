using GptBench.GpuWorker.Engines;

namespace GptBench.Orchestrator.Experiments;

/// <summary>
/// Turns sweeps into trials: each sweep's points crossed with the experiment's models, engines and
/// dtypes (those the sweep does not set itself), checked, hashed, and unioned without duplicates.
/// </summary>
internal static class TrialExpansion
{
    public static IReadOnlyList<TrialSpec> Expand(
        YamlSource source, Settings settings, IReadOnlyDictionary<string, IReadOnlyList<AxisValue>> defaults, IReadOnlyList<Sweep> sweeps)
    {
        var trials = new List<TrialSpec>();
        var seen = new HashSet<string>();
        foreach (var sweep in sweeps)
        {
            var unset = defaults.Where(axis => !sweep.Axes.Contains(axis.Key)).Select(axis => (axis.Key, axis.Value)).ToList();
            // Axes written in the sweep, then the experiment's lists that hold more than one value: what varies.
            var varying = sweep.Axes.Concat(unset.Where(axis => axis.Value.Count > 1).Select(axis => axis.Key)).ToList();
            foreach (var point in Point.Cross(Point.Cross(unset), sweep.Points))
            {
                var trial = Build(source, settings, point, Axes(sweep.Name, varying, point));
                if (seen.Add(trial.Hash))
                    trials.Add(trial);
            }
        }
        // A group's trials run in one engine process, so keep them together, groups in order of first appearance.
        var groups = new Dictionary<string, int>();
        foreach (var trial in trials)
            groups.TryAdd(trial.GroupKey, groups.Count);
        return trials.OrderBy(trial => groups[trial.GroupKey]).Select((trial, ordinal) => trial with { Ordinal = ordinal }).ToList();
    }

    static TrialSpec Build(YamlSource source, Settings settings, Point point, IReadOnlyDictionary<string, string> axes)
    {
        var model = point[Axis.Model].Model!;
        var engine = point[Axis.Engine];
        var input = point[Axis.InputTokens];
        var output = point[Axis.OutputTokens];
        if (input.Tokens + output.Tokens > model.ContextLength)
            throw source.Error(input.At, $"input_tokens {input.Tokens} + output_tokens {output.Tokens} = {input.Tokens + output.Tokens} "
                + $"exceeds the context of model '{model.Name}'; expected at most {model.ContextLength} tokens in all");
        if (settings.Device == "cpu" && EngineNames.NeedsCuda(engine.Text))
            throw source.Error(engine.At, $"engine '{engine.Text}' needs a CUDA device; expected device cuda or auto");
        var dtype = point[Axis.Dtype];
        if (dtype.Text == DtypeNames.Int8 && engine.Text != EngineNames.Fused)
            throw source.Error(dtype.At, $"dtype int8 (int8 weights) runs only on the {EngineNames.Fused} engine, not '{engine.Text}'; expected engine {EngineNames.Fused} or another dtype");

        var trial = new TrialSpec(
            Hash: "",
            Ordinal: 0,
            ModelName: model.Name,
            Model: model.Spec,
            Engine: engine.Text,
            Dtype: dtype.Text,
            Device: settings.Device,
            InputTokens: input.Tokens,
            OutputTokens: output.Tokens,
            Sampling: settings.Sampling,
            Warmup: settings.Warmup,
            Repeats: settings.Repeats,
            Seed: settings.Seed,
            PromptFile: settings.PromptFile,
            Timeout: settings.Timeout,
            Axes: axes);
        return trial with { Hash = Canonical.Hash(Canonical.Trial(trial, settings.PromptSha256)) };
    }

    static IReadOnlyDictionary<string, string> Axes(string sweep, IEnumerable<string> varying, Point point)
    {
        var axes = new Dictionary<string, string> { ["sweep"] = sweep };
        foreach (var axis in varying)
            axes[axis] = point[axis].Text;
        return axes;
    }
}
