using System.Text.Json;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Protocol;
using YamlDotNet.RepresentationModel;

namespace GptBench.Orchestrator.Experiments;

/// <summary>
/// A model an experiment names: a preset name (<c>gpt2</c>), <c>{preset: gpt2, seed: 7}</c> (seeded
/// random weights), or <c>{path: DIR}</c> (a checkpoint folder with config.json, relative to the file).
/// </summary>
internal sealed record ModelChoice(string Name, ModelSpec Spec, int ContextLength)
{
    // HF's GPT-2 config default when config.json leaves n_positions out.
    const int DefaultContextLength = 1024;

    static readonly string[] Keys = ["preset", "seed", "path"];

    public static ModelChoice Read(YamlSource source, YamlNode node)
    {
        if (node is YamlScalarNode)
            return Preset(source, node, seed: 0);
        if (node is not YamlMappingNode)
            throw source.Error(node, "expected a model: a preset name or a mapping {preset: NAME, seed: N} or {path: DIR}");

        var fields = source.Mapping(node, "a model", Keys);
        var preset = fields.Get("preset");
        var path = fields.Get("path");
        var seed = fields.Get("seed");
        if ((preset is null) == (path is null))
            throw source.Error(node, "expected exactly one of 'preset' or 'path' in a model");
        if (path is not null && seed is not null)
            throw source.Error(seed, "'seed' applies to presets only; a checkpoint folder brings its own weights");
        return path is not null
            ? Checkpoint(source, path)
            : Preset(source, preset!, seed is null ? 0 : source.Long(seed, "a model's seed"));
    }

    static ModelChoice Preset(YamlSource source, YamlNode node, long seed)
    {
        var name = source.OneOf(node, "model preset", [.. Presets.All.Keys]);
        return new ModelChoice(name, new ModelSpec(Preset: name, Seed: seed), Presets.All[name].NPositions);
    }

    static ModelChoice Checkpoint(YamlSource source, YamlNode node)
    {
        var folder = source.ExistingFolder(node, "model path");
        var config = Path.Combine(folder, "config.json");
        if (!File.Exists(config))
            throw source.Error(node, $"expected a checkpoint folder with config.json; {config} not found");
        return new ModelChoice(new DirectoryInfo(folder).Name, new ModelSpec(Path: folder), ReadContextLength(source, node, config));
    }

    static int ReadContextLength(YamlSource source, YamlNode node, string config)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(config));
            return json.RootElement.TryGetProperty("n_positions", out var positions) ? positions.GetInt32() : DefaultContextLength;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw source.Error(node, $"could not read n_positions from {config}: {e.Message}");
        }
    }
}
