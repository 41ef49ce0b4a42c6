using GptBench.GpuWorker.Engines;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GptBench.Orchestrator.Experiments;

/// <summary>
/// One value of an axis: its text as written (for <see cref="TrialSpec.Axes"/>), where it was written
/// (for errors about the trial it ends up in), and what it sets: a token count or a model.
/// </summary>
internal sealed record AxisValue(string Text, Mark At, int Tokens = 0, ModelChoice? Model = null);

/// <summary>The axes a matrix may sweep, and how one axis's values are written.</summary>
internal static class Axis
{
    public const string InputTokens = "input_tokens";
    public const string OutputTokens = "output_tokens";
    public const string Model = "model";
    public const string Engine = "engine";
    public const string Dtype = "dtype";

    public static readonly IReadOnlyList<string> All = [InputTokens, OutputTokens, Model, Engine, Dtype];

    const int MaxRangeValues = 100_000;

    /// <summary>One value, a list of values, or (token axes only) a range <c>{from, to, step}</c>.</summary>
    public static IReadOnlyList<AxisValue> Read(YamlSource source, string axis, YamlNode node)
    {
        if (axis is InputTokens or OutputTokens && node is YamlMappingNode)
            return Range(source, axis, node);
        var items = node is YamlSequenceNode ? source.List(node, axis) : [node];
        return items.Select(item => One(source, axis, item)).ToList();
    }

    static AxisValue One(YamlSource source, string axis, YamlNode node)
    {
        switch (axis)
        {
            case InputTokens or OutputTokens:
                var tokens = source.Int(node, axis, min: 1);
                return new AxisValue(tokens.ToString(), node.Start, Tokens: tokens);
            case Model:
                var model = ModelChoice.Read(source, node);
                return new AxisValue(model.Name, node.Start, Model: model);
            case Engine:
                return new AxisValue(source.OneOf(node, "engine", EngineNames.All), node.Start);
            default:
                return new AxisValue(source.OneOf(node, "dtype", DtypeNames.All), node.Start);
        }
    }

    // from, from + step, ... up to and including `to` when a step lands on it.
    static IReadOnlyList<AxisValue> Range(YamlSource source, string axis, YamlNode node)
    {
        var fields = source.Mapping(node, $"a range of {axis}", ["from", "to", "step"]);
        var from = source.Int(fields.Require("from", "the range's first value"), axis, min: 1);
        var to = source.Int(fields.Require("to", "the range's last value"), $"{axis} 'to'");
        var step = fields.Get("step") is { } stepNode ? source.Int(stepNode, "step", min: 1) : 1;
        if (to < from)
            throw source.Error(node, $"empty range: 'from' {from} is greater than 'to' {to}; expected from <= to");
        // No model's context comes near this; a typo in `to` should not fill memory before it is caught.
        var count = (to - (long)from) / step + 1;
        if (count > MaxRangeValues)
            throw source.Error(node, $"range has {count} values; expected at most {MaxRangeValues}");
        var values = new List<AxisValue>();
        for (long tokens = from; tokens <= to; tokens += step)
            values.Add(new AxisValue(tokens.ToString(), node.Start, Tokens: (int)tokens));
        return values;
    }
}

/// <summary>A point of the matrix: a value for some of the axes.</summary>
internal sealed class Point : Dictionary<string, AxisValue>
{
    public Point() { }

    Point(Point first, Point second) : base(first)
    {
        foreach (var (axis, value) in second)
            Add(axis, value);
    }

    /// <summary>Every point of <paramref name="outer"/> with every point of <paramref name="inner"/>.</summary>
    public static IReadOnlyList<Point> Cross(IEnumerable<Point> outer, IReadOnlyList<Point> inner) =>
        outer.SelectMany(first => inner.Select(second => new Point(first, second))).ToList();

    public static IReadOnlyList<Point> Cross(IEnumerable<(string Axis, IReadOnlyList<AxisValue> Values)> axes) =>
        axes.Aggregate((IReadOnlyList<Point>)[new Point()],
            (points, axis) => Cross(points, axis.Values.Select(value => new Point { [axis.Axis] = value }).ToList()));
}

/// <summary>A named part of the matrix; <see cref="Axes"/> are the axes it sets, in file order.</summary>
internal sealed record Sweep(string Name, IReadOnlyList<string> Axes, IReadOnlyList<Point> Points);

/// <summary>
/// Reads <c>matrix:</c> (one crossed sweep) or <c>sweeps:</c>, a list of <c>{name, cross, zip}</c>:
/// cross takes every combination of its axes, zip pairs its lists element by element, and a sweep
/// with both crosses the two.
/// </summary>
internal static class SweepReader
{
    public static IReadOnlyList<Sweep> Read(YamlSource source, Fields experiment)
    {
        var node = experiment.Either("sweeps", "matrix")
            ?? throw source.Error(experiment.Node, "missing key 'sweeps' (or 'matrix'): expected the axes to sweep, e.g. matrix: {input_tokens: [16], output_tokens: [32]}");
        if (experiment.Get("matrix") is not null)
        {
            var axes = ReadAxes(source, node, "matrix");
            return [Complete(source, node, new Sweep("matrix", [.. axes.Select(axis => axis.Axis)], Point.Cross(axes.Select(axis => (axis.Axis, axis.Values)))))];
        }
        var sweeps = new List<Sweep>();
        foreach (var (item, index) in source.List(node, "sweeps").Select((item, index) => (item, index)))
        {
            var sweep = ReadSweep(source, item, $"sweep{index + 1}");
            if (sweeps.Any(other => other.Name == sweep.Name))
                throw source.Error(item, $"duplicate sweep name '{sweep.Name}'; expected each sweep to have its own name");
            sweeps.Add(sweep);
        }
        return sweeps;
    }

    static Sweep ReadSweep(YamlSource source, YamlNode node, string defaultName)
    {
        var fields = source.Mapping(node, "a sweep", ["name", "cross", "zip"]);
        var name = fields.Get("name") is { } nameNode ? source.Text(nameNode, "a sweep's name") : defaultName;
        var crossNode = fields.Get("cross");
        var zipNode = fields.Get("zip");
        if (crossNode is null && zipNode is null)
            throw source.Error(node, $"sweep '{name}' has no axes; expected 'cross', 'zip' or both");

        var crossed = crossNode is null ? [] : ReadAxes(source, crossNode, "cross");
        var zipped = zipNode is null ? [] : ReadAxes(source, zipNode, "zip");
        var twice = zipped.FirstOrDefault(zip => crossed.Any(cross => cross.Axis == zip.Axis));
        if (twice.Key is not null)
            throw source.Error(twice.Key, $"axis '{twice.Axis}' is in both cross and zip; expected it in one of them");

        var points = Point.Cross(Point.Cross(crossed.Select(axis => (axis.Axis, axis.Values))), Zip(source, zipNode, zipped));
        var axes = crossed.Concat(zipped).Select(axis => axis.Axis).ToList();
        return Complete(source, node, new Sweep(name, axes, points));
    }

    static IReadOnlyList<Point> Zip(YamlSource source, YamlNode? node, IReadOnlyList<(string Axis, IReadOnlyList<AxisValue> Values, YamlNode Key)> axes)
    {
        if (axes.Count == 0)
            return [new Point()];
        if (axes.Select(axis => axis.Values.Count).Distinct().Count() > 1)
            throw source.Error(node!, "zip lists must have equal lengths; got "
                + string.Join(", ", axes.Select(axis => $"{axis.Axis}: {axis.Values.Count}")));
        return Enumerable.Range(0, axes[0].Values.Count)
            .Select(index =>
            {
                var point = new Point();
                foreach (var axis in axes)
                    point[axis.Axis] = axis.Values[index];
                return point;
            })
            .ToList();
    }

    static IReadOnlyList<(string Axis, IReadOnlyList<AxisValue> Values, YamlNode Key)> ReadAxes(YamlSource source, YamlNode node, string what)
    {
        var fields = source.Mapping(node, what, Axis.All);
        return fields.Entries.Select(entry => (entry.Name, Axis.Read(source, entry.Name, entry.Value), entry.Key)).ToList();
    }

    // Every trial needs its token counts; model, engine and dtype default to the experiment's lists.
    static Sweep Complete(YamlSource source, YamlNode node, Sweep sweep)
    {
        var missing = new[] { Axis.InputTokens, Axis.OutputTokens }.FirstOrDefault(axis => !sweep.Axes.Contains(axis));
        if (missing is not null)
            throw source.Error(node, $"sweep '{sweep.Name}' sets no {missing}; expected it among the sweep's axes");
        return sweep;
    }
}
