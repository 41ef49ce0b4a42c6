using System.Text.Json;
using GptBench.GpuWorker.Model;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>
/// One prompt of a golden file: logits at <see cref="LogitsPositions"/> (rows of [positions, V]) and the greedy
/// continuation, in fp32 and, where the generator ran HF in bf16, in bf16.
/// </summary>
public sealed record GoldenCase(
    string Name, int[] Prompt, int[] LogitsPositions,
    float[][] LogitsFp32, int[] GreedyFp32,
    float[][]? LogitsBf16, int[]? GreedyBf16);

/// <summary>
/// Reference outputs for a checkpoint, written by scripts/golden (make_golden.py from HF transformers, or
/// numpy_gpt2.py); <see cref="Source"/> says which. Logits are base64 little-endian float32.
/// </summary>
public sealed record GoldenFile(string Source, Gpt2Config Config, IReadOnlyList<GoldenCase> Cases)
{
    public const string FileName = "golden.json";

    public static GoldenFile Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var config = root.GetProperty("config");
            var golden = new GoldenFile(
                root.GetProperty("source").GetString()!,
                new Gpt2Config(
                    NLayer: config.GetProperty("n_layer").GetInt32(),
                    NHead: config.GetProperty("n_head").GetInt32(),
                    NEmbd: config.GetProperty("n_embd").GetInt32(),
                    VocabSize: config.GetProperty("vocab_size").GetInt32(),
                    NPositions: config.GetProperty("n_positions").GetInt32(),
                    LayerNormEpsilon: config.GetProperty("layer_norm_epsilon").GetDouble()),
                []);
            return golden with { Cases = root.GetProperty("cases").EnumerateArray().Select(c => ReadCase(c, golden.Config.VocabSize)).ToList() };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a golden file as scripts/golden writes them: {e.Message}", e);
        }
    }

    static GoldenCase ReadCase(JsonElement c, int vocabSize)
    {
        int[] Ids(string name) => c.GetProperty(name).EnumerateArray().Select(id => id.GetInt32()).ToArray();
        int[]? OptionalIds(string name) => c.TryGetProperty(name, out _) ? Ids(name) : null;
        float[][]? Rows(string name) => c.TryGetProperty(name, out var packed) ? Unpack(packed.GetString()!, vocabSize) : null;

        var golden = new GoldenCase(c.GetProperty("name").GetString()!, Ids("prompt"), Ids("logits_positions"),
            Rows("logits_fp32") ?? throw new KeyNotFoundException("logits_fp32"), Ids("greedy_fp32"),
            Rows("logits_bf16"), OptionalIds("greedy_bf16"));
        if (golden.LogitsFp32.Length != golden.LogitsPositions.Length || golden.LogitsBf16?.Length is { } n && n != golden.LogitsPositions.Length)
            throw new FormatException($"case {golden.Name}: logits rows do not match logits_positions");
        return golden;
    }

    static float[][] Unpack(string base64, int vocabSize)
    {
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length % (4 * vocabSize) != 0)
            throw new FormatException($"{bytes.Length} bytes of logits are not whole rows of {vocabSize} float32");
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length); // little-endian, as the machines this runs on
        return values.Chunk(vocabSize).ToArray();
    }
}
