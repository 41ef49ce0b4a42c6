namespace GptBench.Orchestrator.Experiments;

/// <summary>
/// Reads an experiment YAML file (schema: docs/experiments.md) into a validated <see cref="Experiment"/>
/// with its trials expanded. Anything wrong is an <see cref="ExperimentException"/> at its line and column,
/// raised before anything runs.
/// </summary>
public static class ExperimentLoader
{
    static readonly string[] Keys =
    [
        "name", "models", "model", "engines", "engine", "dtypes", "dtype", "device", "sampling",
        "warmup", "repeats", "seed", "timeout_s", "prompt_file", "matrix", "sweeps",
    ];

    public static Experiment Load(string path)
    {
        if (!File.Exists(path))
            throw new ExperimentException(path, 0, 0, "file not found; expected a YAML experiment file");
        var source = new YamlSource(path);
        var experiment = source.Mapping(source.ParseDocument(), "an experiment", Keys);

        var name = experiment.Get("name") is { } nameNode ? source.Text(nameNode, "name") : Path.GetFileNameWithoutExtension(path);
        var models = experiment.Either("models", "model")
            ?? throw source.Error(experiment.Node, "missing key 'models': expected the model(s) to run, e.g. models: [tiny]");
        var engines = experiment.Either("engines", "engine")
            ?? throw source.Error(experiment.Node, "missing key 'engines': expected the engine(s) to run, e.g. engines: [static]");
        var dtypes = experiment.Either("dtypes", "dtype");
        var defaults = new Dictionary<string, IReadOnlyList<AxisValue>>
        {
            [Axis.Model] = Axis.Read(source, Axis.Model, models),
            [Axis.Engine] = Axis.Read(source, Axis.Engine, engines),
            [Axis.Dtype] = dtypes is null ? [new AxisValue("fp32", experiment.Node.Start)] : Axis.Read(source, Axis.Dtype, dtypes),
        };
        var settings = Settings.Read(source, experiment);
        var sweeps = SweepReader.Read(source, experiment);

        var trials = TrialExpansion.Expand(source, settings, defaults, sweeps);
        return new Experiment(name, Path.GetFullPath(path), Canonical.Hash(Canonical.Experiment(name, trials)), trials);
    }
}
