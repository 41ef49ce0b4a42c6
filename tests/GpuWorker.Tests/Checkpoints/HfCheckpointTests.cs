using System.Text.Json.Nodes;
using GptBench.GpuWorker.Checkpoints;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Checkpoints;

public class HfCheckpointTests : IDisposable
{
    static readonly Gpt2Config Small = new(NLayer: 1, NHead: 2, NEmbd: 8, VocabSize: 16, NPositions: 8);

    readonly TempFolder folder = new();
    readonly Gpt2 source;

    public HfCheckpointTests()
    {
        TorchRuntime.Initialize();
        source = Gpt2.Random(Small, seed: 7, ScalarType.Float32, CPU);
        WriteConfig(ConfigJson(Small));
    }

    public void Dispose()
    {
        source.Dispose();
        folder.Dispose();
    }

    string WeightsPath => folder.File(HfCheckpoint.WeightsFile);

    static JsonObject ConfigJson(Gpt2Config c) => new()
    {
        ["model_type"] = "gpt2", ["activation_function"] = "gelu_new", ["n_inner"] = null,
        ["n_layer"] = c.NLayer, ["n_head"] = c.NHead, ["n_embd"] = c.NEmbd,
        ["vocab_size"] = c.VocabSize, ["n_positions"] = c.NPositions, ["layer_norm_epsilon"] = c.LayerNormEpsilon,
    };

    void WriteConfig(JsonObject config) => File.WriteAllText(folder.File(HfCheckpoint.ConfigFile), config.ToJsonString());

    void WriteWeights(Func<string, string> rename, params (string Name, Tensor Tensor)[] extra)
    {
        var tensors = source.Weights.ToDictionary(pair => rename(pair.Key), pair => pair.Value);
        foreach (var (name, tensor) in extra)
            tensors[name] = tensor;
        SafetensorsWriter.Write(WeightsPath, tensors);
    }

    CheckpointException LoadFails() =>
        Assert.Throws<CheckpointException>(() => HfCheckpoint.Load(folder.Path, ScalarType.Float32, CPU));

    [Fact]
    public void Loads_the_committed_tiny_checkpoint_in_the_dtype_asked_for()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Golden", "tiny");
        var (config, model) = HfCheckpoint.Load(dir, ScalarType.BFloat16, CPU);
        using (model)
        using (var file = SafetensorsFile.Open(Path.Combine(dir, HfCheckpoint.WeightsFile)))
        // save_pretrained may or may not prefix names with "transformer."
        using (var expected = file.ReadTensor(file.Entries.Keys.Single(name => name.EndsWith("h.1.mlp.c_fc.bias"))))
        {
            Assert.Equal(new Gpt2Config(NLayer: 2, NHead: 4, NEmbd: 64, VocabSize: 512, NPositions: 128), config);
            Assert.Equal(ScalarType.BFloat16, model.Weights["wte.weight"].dtype);
            Assert.True(model.Weights["h.1.mlp.c_fc.bias"].to(ScalarType.Float32).allclose(expected, rtol: 1e-2, atol: 0));
        }
    }

    [Fact]
    public void Hub_layout_loads_with_mask_buffers_and_tied_head_skipped()
    {
        using var mask = ones(1, 1, Small.NPositions, Small.NPositions).tril();
        using var maskedBias = tensor(-1e4f);
        WriteWeights(name => name, ("h.0.attn.bias", mask), ("h.0.attn.masked_bias", maskedBias),
            ("lm_head.weight", source.Weights["wte.weight"]));

        var (config, model) = HfCheckpoint.Load(folder.Path, ScalarType.Float32, CPU);
        using (model)
        {
            Assert.Equal(Small, config);
            foreach (var (name, weight) in source.Weights)
                Assert.True(weight.equal(model.Weights[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public void Save_pretrained_layout_with_transformer_prefix_loads()
    {
        WriteWeights(name => "transformer." + name);
        var (_, model) = HfCheckpoint.Load(folder.Path, ScalarType.Float32, CPU);
        using (model)
            Assert.True(source.Weights["h.0.attn.c_proj.weight"].equal(model.Weights["h.0.attn.c_proj.weight"]).all().item<bool>());
    }

    [Fact]
    public void Untied_head_is_another_model()
    {
        using var head = source.Weights["wte.weight"] + 1;
        WriteWeights(name => name, ("lm_head.weight", head));
        Assert.Equal("lm_head.weight", LoadFails().Tensor);
    }

    [Fact]
    public void Missing_weight_is_named()
    {
        SafetensorsWriter.Write(WeightsPath, source.Weights.Where(pair => pair.Key != "h.0.ln_2.bias").ToDictionary());
        var error = LoadFails();
        Assert.Equal("h.0.ln_2.bias", error.Tensor);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void Wrong_shape_is_named_with_both_shapes()
    {
        using var transposed = source.Weights["h.0.attn.c_attn.weight"].t().contiguous();
        WriteWeights(name => "transformer." + name, ("transformer.h.0.attn.c_attn.weight", transposed));
        var error = LoadFails();
        Assert.Equal("transformer.h.0.attn.c_attn.weight", error.Tensor);
        Assert.Contains("[24, 8]", error.Message);
        Assert.Contains("[8, 24]", error.Message);
    }

    [Fact]
    public void Weight_of_another_shape_of_model_is_named()
    {
        using var extraLayer = zeros(Small.NEmbd);
        WriteWeights(name => name, ("h.1.ln_1.weight", extraLayer));
        var error = LoadFails();
        Assert.Equal("h.1.ln_1.weight", error.Tensor);
        Assert.Contains("not a GPT-2 weight", error.Message);
    }

    [Fact]
    public void Same_weight_with_and_without_prefix_is_rejected()
    {
        WriteWeights(name => name, ("transformer.wpe.weight", source.Weights["wpe.weight"]));
        Assert.Contains("given twice", LoadFails().Message);
    }

    [Fact]
    public void Corrupt_weights_file_is_named()
    {
        WriteWeights(name => name);
        SafetensorsSurgery.Truncate(WeightsPath, 1);
        var error = LoadFails();
        Assert.Equal(WeightsPath, error.File);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Missing_files_are_named()
    {
        Assert.Equal(WeightsPath, LoadFails().File);
        File.Delete(folder.File(HfCheckpoint.ConfigFile));
        Assert.EndsWith(HfCheckpoint.ConfigFile, LoadFails().File);
    }

    [Theory]
    [InlineData("""{"n_layer": 1,""", "not valid JSON")]
    [InlineData("""[1, 2]""", "not a JSON object")]
    [InlineData("""{"n_head": 2, "n_embd": 8, "vocab_size": 16, "n_positions": 8}""", "\"n_layer\" is missing")]
    [InlineData("""{"n_layer": "one", "n_head": 2, "n_embd": 8, "vocab_size": 16, "n_positions": 8}""", "\"n_layer\" must be a positive integer")]
    [InlineData("""{"n_layer": 1, "n_head": 3, "n_embd": 8, "vocab_size": 16, "n_positions": 8}""", "not a multiple of n_head")]
    [InlineData("""{"n_layer": 1, "n_head": 2, "n_embd": 8, "vocab_size": 16, "n_positions": 8, "layer_norm_epsilon": 0}""", "\"layer_norm_epsilon\" must be a positive number")]
    [InlineData("""{"n_layer": 1, "n_head": 2, "n_embd": 8, "vocab_size": 16, "n_positions": 8, "activation_function": "relu"}""", "\"activation_function\"")]
    [InlineData("""{"n_layer": 1, "n_head": 2, "n_embd": 8, "vocab_size": 16, "n_positions": 8, "model_type": "llama"}""", "\"model_type\"")]
    [InlineData("""{"n_layer": 1, "n_head": 2, "n_embd": 8, "vocab_size": 16, "n_positions": 8, "n_inner": 16}""", "\"n_inner\"")]
    [InlineData("""{"n_layer": 1, "n_head": 2, "n_embd": 8, "vocab_size": 16, "n_positions": 8, "scale_attn_by_inverse_layer_idx": true}""", "\"scale_attn_by_inverse_layer_idx\"")]
    [InlineData("""{"n_layer": 1, "n_head": 2, "n_embd": 8, "vocab_size": 16, "n_positions": 8, "tie_word_embeddings": false}""", "\"tie_word_embeddings\"")]
    public void Bad_config_is_named_with_the_key_at_fault(string json, string expected)
    {
        File.WriteAllText(folder.File(HfCheckpoint.ConfigFile), json);
        var error = Assert.Throws<CheckpointException>(() => HfCheckpoint.ReadConfig(folder.Path));
        Assert.EndsWith(HfCheckpoint.ConfigFile, error.File);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Config_with_hf_defaults_left_out_reads()
    {
        WriteConfig(new JsonObject { ["n_layer"] = 1, ["n_head"] = 2, ["n_embd"] = 8, ["vocab_size"] = 16, ["n_positions"] = 8, ["n_inner"] = 32 });
        Assert.Equal(Small, HfCheckpoint.ReadConfig(folder.Path));
    }
}
