using GptBench.CommandLine;
using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Native;
using TorchSharp;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>
/// <c>check-golden DIR [--dtype fp32|bf16] [--device cpu|cuda]</c>: loads the checkpoint in DIR and checks the model
/// and every engine that runs on the device against DIR/golden.json (see docs/correctness.md). Made for the GPU
/// machine, where the gpt2-shaped golden lives.
/// </summary>
public static class GoldenCheckCommand
{
    public const string Usage = "usage: check-golden DIR [--dtype fp32|bf16|fp16|int8] [--device cpu|cuda]\n"
        + "  --device defaults to cuda where the libtorch found has it, else cpu.\n"
        + "  DIR holds config.json, model.safetensors and golden.json, as scripts/golden/make_golden.py writes them.";

    /// <param name="args">The arguments after the verb.</param>
    /// <returns>0 when every case passes, 1 when one fails or the run breaks, 2 on bad arguments or files.</returns>
    public static int Run(string[] args) => Run(args, Console.Out);

    public static int Run(string[] args, TextWriter output)
    {
        try
        {
            var options = ParsedCommand.Parse(args, ["dtype", "device"]);
            if (options.Help)
            {
                output.WriteLine(Usage);
                return 0;
            }
            if (options.Positionals.Count != 1)
                throw new UsageException("give one checkpoint folder");
            var dir = options.Positionals[0];

            var golden = GoldenFile.Read(Path.Combine(dir, GoldenFile.FileName));
            var library = TorchRuntime.Initialize();
            var dtypeName = options.ValueOr("dtype", "fp32");
            var dtype = EngineFactory.ParseDtype(dtypeName);
            var device = EngineFactory.ParseDevice(options.ValueOr("device", library.HasCuda ? "cuda" : "cpu"));
            using var model = HfCheckpoint.Load(dir, dtype, device).Model;

            output.WriteLine($"{dir} ({dtype}, {device}) against {golden.Source}");
            var results = GoldenCheck.Run(model, golden);
            foreach (var result in results)
                output.WriteLine(result);
            var checks = results.Count;
            var failed = results.Count(r => !r.Passed);
            foreach (var name in EngineNames.Ours.Where(name => EngineFactory.Supports(name, device.type, dtypeName)))
            {
                using var engine = EngineFactory.Create(name, model, dtypeName);
                var engineResults = GoldenCheck.RunEngine(engine, golden);
                foreach (var result in engineResults)
                    output.WriteLine(result);
                checks += engineResults.Count;
                failed += engineResults.Count(r => !r.Passed);
            }
            output.WriteLine(failed == 0 ? $"all {checks} checks pass" : $"{failed} of {checks} checks FAIL");
            return failed == 0 ? 0 : 1;
        }
        catch (UsageException e)
        {
            output.WriteLine($"check-golden: {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is ArgumentException or CheckpointException or InvalidDataException or IOException)
        {
            output.WriteLine($"check-golden: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            output.WriteLine($"check-golden: failed: {e}");
            return 1;
        }
    }
}
