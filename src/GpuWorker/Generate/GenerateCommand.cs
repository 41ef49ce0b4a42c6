using System.Diagnostics;
using GptBench.CommandLine;
using GptBench.GpuWorker.Checkpoints;
using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using GptBench.GpuWorker.Tokenization;

namespace GptBench.GpuWorker.Generate;

/// <summary>
/// <c>generate --model DIR|PRESET --prompt TEXT --tokens N [--greedy]</c>: one generation, its text streamed to
/// stdout as each token arrives; a summary (prompt tokens, time to first token, tokens/s) goes to stderr.
/// </summary>
public static class GenerateCommand
{
    public static readonly string Usage =
        "usage: generate --model DIR|PRESET --prompt TEXT --tokens N [--greedy] [--temperature T] [--top-k K]\n"
        + $"                [--engine {string.Join('|', EngineNames.Ours)}] [--dtype {string.Join('|', DtypeNames.All)}] [--device cpu|cuda] [--seed S]\n"
        + "  --device defaults to cuda where the libtorch found has it, else cpu; --dtype to fp32, bf16 for the fused engine.\n"
        + "  DIR: an HF checkpoint folder (config.json, model.safetensors); PRESET: "
        + "one of the presets, with seeded random weights (the text is then gibberish).\n"
        + "  Without --greedy, tokens are sampled (temperature 1, top-k 50 unless given).";

    static readonly string[] Valued = ["model", "prompt", "tokens", "temperature", "top-k", "engine", "dtype", "device", "seed"];
    static readonly string[] Flags = ["greedy"];

    /// <param name="args">The arguments after the verb.</param>
    /// <returns>0 on success, 2 on bad input (arguments, checkpoint, prompt), 1 on any other failure.</returns>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter log)
    {
        try
        {
            var options = ParsedCommand.Parse(args, Valued, Flags);
            if (options.Help)
            {
                output.WriteLine(Usage);
                return 0;
            }
            if (options.Positionals.Count > 0)
                throw new UsageException($"unexpected argument '{options.Positionals[0]}'");
            Generate(options, output, log);
            return 0;
        }
        catch (UsageException e)
        {
            log.WriteLine($"generate: {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is ArgumentException or CheckpointException or InvalidDataException)
        {
            log.WriteLine($"generate: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            log.WriteLine($"generate: failed: {e}");
            return 1;
        }
    }

    static void Generate(ParsedCommand options, TextWriter output, TextWriter log)
    {
        var newTokens = options.Int("tokens", 0);
        if (newTokens < 1)
            throw new UsageException("--tokens must be a positive number of new tokens");
        var prompt = Gpt2Tokenizer.Encode(options.Required("prompt"));
        if (prompt.Length == 0)
            throw new UsageException("--prompt is empty");
        var sampling = options.Flag("greedy")
            ? new SamplingSpec(Greedy: true)
            : new SamplingSpec(Greedy: false, Temperature: options.Double("temperature", 1.0), TopK: options.Int("top-k", 50));
        var seed = options.Long("seed", 0);

        var library = TorchRuntime.Initialize();
        var engineName = options.ValueOr("engine", EngineNames.Static);
        var dtypeName = options.ValueOr("dtype", DefaultDtype(engineName));
        var dtype = EngineFactory.ParseDtype(dtypeName);
        var device = EngineFactory.ParseDevice(options.ValueOr("device", library.HasCuda ? "cuda" : "cpu"));
        using var model = LoadModel(options.Required("model"), dtype, device, seed, log);
        using var engine = EngineFactory.Create(engineName, model, dtypeName);
        engine.Prepare(sampling);

        var decoder = new StreamingDecoder();
        output.Write(Gpt2Tokenizer.Decode(prompt));
        output.Flush();
        var clock = Stopwatch.StartNew();
        var firstToken = TimeSpan.Zero;
        engine.Generate(prompt, newTokens, sampling, seed, (index, id) =>
        {
            if (index == 0)
                firstToken = clock.Elapsed;
            output.Write(decoder.Push(id));
            output.Flush();
        });
        var total = clock.Elapsed;
        output.WriteLine(decoder.Flush());

        var rate = newTokens > 1 ? $", {(newTokens - 1) / (total - firstToken).TotalSeconds:F1} tokens/s after the first" : "";
        // The weights as asked for (int8's tensors are bf16 around its int8 matrices).
        log.WriteLine($"{prompt.Length} prompt tokens, {newTokens} new ({engine.Name}, {dtypeName}, {device}): "
            + $"first token after {firstToken.TotalMilliseconds:F1} ms{rate}");
    }

    /// <summary>The weights an engine runs where --dtype is not given: fp32, but bf16 for the fused engine, which runs no fp32.</summary>
    internal static string DefaultDtype(string engine) => engine == EngineNames.Fused ? "bf16" : "fp32";

    static Gpt2 LoadModel(string model, TorchSharp.torch.ScalarType dtype, TorchSharp.torch.Device device, long seed, TextWriter log)
    {
        if (Directory.Exists(model))
            return HfCheckpoint.Load(model, dtype, device).Model;
        if (Presets.All.TryGetValue(model, out var config))
        {
            log.WriteLine($"preset {model}: seeded random weights (seed {seed}), so the text is not meaningful");
            return Gpt2.Random(config, seed, dtype, device);
        }
        throw new UsageException($"--model '{model}' is neither a checkpoint folder nor a preset ({string.Join(", ", Presets.All.Keys)})");
    }
}
