using System.Text.Json;
using GptBench.GpuWorker.Model;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>
/// A GPT-2 checkpoint folder as the HF hub lays it out: config.json and model.safetensors. Weight names may carry
/// GPT2LMHeadModel's "transformer." prefix or not; the attention-mask buffers and a tied lm_head.weight are skipped.
/// </summary>
public static class HfCheckpoint
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";

    const string LmHead = "lm_head.weight";
    const string Embedding = "wte.weight";

    public static (Gpt2Config Config, Gpt2 Model) Load(string dir, ScalarType dtype, Device device)
    {
        var config = ReadConfig(dir);
        var weights = ReadWeights(dir, config);
        try
        {
            return (config, Gpt2.FromWeights(config, weights, dtype, device));
        }
        finally
        {
            foreach (var tensor in weights.Values)
                tensor.Dispose();
        }
    }

    /// <summary>The shape in config.json; a setting that would make the model compute something other than GPT-2 is an error.</summary>
    public static Gpt2Config ReadConfig(string dir)
    {
        var path = Path.Combine(dir, ConfigFile);
        if (!File.Exists(path))
            throw new CheckpointException(path, null, $"not found: a checkpoint folder holds {ConfigFile} and {WeightsFile}");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, null, $"is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(path, null, "is not a JSON object");
            var settings = new ConfigSettings(path, root);

            settings.RequireIfPresent("model_type", "gpt2");
            settings.RequireIfPresent("activation_function", "gelu_new");
            settings.RequireIfPresent("scale_attn_weights", true);
            settings.RequireIfPresent("scale_attn_by_inverse_layer_idx", false);
            settings.RequireIfPresent("tie_word_embeddings", true);

            var config = new Gpt2Config(
                NLayer: settings.PositiveInt("n_layer"),
                NHead: settings.PositiveInt("n_head"),
                NEmbd: settings.PositiveInt("n_embd"),
                VocabSize: settings.PositiveInt("vocab_size"),
                NPositions: settings.PositiveInt("n_positions"),
                LayerNormEpsilon: settings.PositiveNumberOr("layer_norm_epsilon", 1e-5)); // HF's default
            if (config.NEmbd % config.NHead != 0)
                throw new CheckpointException(path, null, $"n_embd {config.NEmbd} is not a multiple of n_head {config.NHead}");
            settings.RequireNullOr("n_inner", 4 * config.NEmbd);
            return config;
        }
    }

    /// <summary>Every weight of <paramref name="config"/>, checked by name and shape, on the CPU in the file's dtype.</summary>
    static Dictionary<string, Tensor> ReadWeights(string dir, Gpt2Config config)
    {
        var path = Path.Combine(dir, WeightsFile);
        if (!File.Exists(path))
            throw new CheckpointException(path, null, File.Exists(path + ".index.json")
                ? "not found; sharded checkpoints (model.safetensors.index.json) are not supported"
                : "not found; only safetensors checkpoints are read");

        using var file = SafetensorsFile.Open(path);
        var fileNames = MapNames(file);
        var layout = Gpt2.Layout(config);
        var unexpected = fileNames.Keys.Except(layout.Select(l => l.Name)).FirstOrDefault();
        if (unexpected is not null)
            throw new CheckpointException(path, fileNames[unexpected], "is not a GPT-2 weight");

        var weights = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, shape) in layout)
            {
                if (!fileNames.TryGetValue(name, out var fileName))
                    throw new CheckpointException(path, name, $"is missing (a GPT-2 of this config needs shape [{string.Join(", ", shape)}])");
                var entry = file.Entries[fileName];
                if (!entry.Shape.SequenceEqual(shape))
                    throw new CheckpointException(path, fileName,
                        $"has shape [{string.Join(", ", entry.Shape)}], but {ConfigFile} needs [{string.Join(", ", shape)}]");
                weights[name] = file.ReadTensor(fileName);
            }
            CheckTiedHead(file, weights[Embedding]);
            return weights;
        }
        catch
        {
            foreach (var tensor in weights.Values)
                tensor.Dispose();
            throw;
        }
    }

    /// <summary>GPT-2 name (no prefix) to the name in the file, buffers and the tied head left out.</summary>
    static Dictionary<string, string> MapNames(SafetensorsFile file)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var fileName in file.Entries.Keys)
        {
            var name = fileName.StartsWith("transformer.", StringComparison.Ordinal) ? fileName["transformer.".Length..] : fileName;
            // attn.bias / attn.masked_bias: the causal-mask buffers older HF versions saved; not weights.
            if (name == LmHead || name.EndsWith(".attn.bias", StringComparison.Ordinal) || name.EndsWith(".attn.masked_bias", StringComparison.Ordinal))
                continue;
            if (!names.TryAdd(name, fileName))
                throw new CheckpointException(file.Path, fileName, $"and '{names[name]}' are the same weight, given twice");
        }
        return names;
    }

    /// <summary>GPT-2's output head is its embedding; a file whose lm_head.weight differs is another model.</summary>
    static void CheckTiedHead(SafetensorsFile file, Tensor embedding)
    {
        if (!file.Entries.ContainsKey(LmHead))
            return;
        using var head = file.ReadTensor(LmHead);
        using var same = head.shape.SequenceEqual(embedding.shape) ? head.to(embedding.dtype).eq(embedding).all() : tensor(false);
        if (!same.item<bool>())
            throw new CheckpointException(file.Path, LmHead, $"differs from {Embedding}; GPT-2 ties the two");
    }

    /// <summary>config.json's values, each problem reported with the file and key.</summary>
    sealed class ConfigSettings(string path, JsonElement root)
    {
        CheckpointException Bad(string key, string problem) => new(path, null, $"\"{key}\" {problem}");

        public int PositiveInt(string key)
        {
            if (!root.TryGetProperty(key, out var value))
                throw Bad(key, "is missing");
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number <= 0)
                throw Bad(key, $"must be a positive integer, not {value.GetRawText()}");
            return number;
        }

        public double PositiveNumberOr(string key, double fallback)
        {
            if (!root.TryGetProperty(key, out var value))
                return fallback;
            if (value.ValueKind != JsonValueKind.Number || value.GetDouble() <= 0)
                throw Bad(key, $"must be a positive number, not {value.GetRawText()}");
            return value.GetDouble();
        }

        public void RequireIfPresent(string key, string expected)
        {
            if (root.TryGetProperty(key, out var value) && (value.ValueKind != JsonValueKind.String || value.GetString() != expected))
                throw Bad(key, $"is {value.GetRawText()}; GPT-2 has \"{expected}\"");
        }

        public void RequireIfPresent(string key, bool expected)
        {
            if (root.TryGetProperty(key, out var value) && value.ValueKind != (expected ? JsonValueKind.True : JsonValueKind.False))
                throw Bad(key, $"is {value.GetRawText()}; GPT-2 has {(expected ? "true" : "false")}");
        }

        public void RequireNullOr(string key, int expected)
        {
            if (root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null
                && !(value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number == expected))
                throw Bad(key, $"is {value.GetRawText()}; GPT-2 has null or {expected} (4 * n_embd)");
        }
    }
}
