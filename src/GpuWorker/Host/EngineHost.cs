using System.Diagnostics;
using GptBench.GpuWorker.Checkpoints;
using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Measurement;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using GptBench.GpuWorker.Tokenization;
using TorchSharp;

namespace GptBench.GpuWorker.Host;

/// <summary>
/// The engine process's protocol loop: hello, then load / trial messages until bye (or the end of
/// input). Every line written to <c>output</c> is a protocol message; logs go to stderr.
/// </summary>
public sealed class EngineHost(TextReader input, TextWriter output, Fault? fault = null) : IDisposable
{
    Gpt2? model;
    IEngine? engine;

    /// <summary>Runs until bye or end of input; returns the process exit code.</summary>
    public int Run()
    {
        try
        {
            Send(new Hello(EnvironmentProbe.Describe()));
        }
        catch (Exception e)
        {
            Log(e);
            Send(new Failure($"engine process cannot start: {FirstLine(e)}", Fatal: true));
            return 1;
        }
        while (input.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            Message message;
            try
            {
                message = JsonLines.Decode(line);
            }
            catch (ProtocolException e)
            {
                Send(new Failure(e.Message));
                continue;
            }
            switch (message)
            {
                case Load load:
                    HandleLoad(load);
                    break;
                case RunTrial trial:
                    if (!HandleTrial(trial))
                        return 1;
                    break;
                case Bye:
                    return 0;
                default:
                    Send(new Failure($"the engine process does not accept '{message.GetType().Name}' messages"));
                    break;
            }
        }
        return 0; // end of input: the orchestrator is gone
    }

    void HandleLoad(Load load)
    {
        Unload();
        try
        {
            var clock = Stopwatch.StartNew();
            var dtype = EngineFactory.ParseDtype(load.Dtype);
            var device = EngineFactory.ParseDevice(load.Device);
            var memoryBefore = MemoryInUse(device);
            model = BuildModel(load.Model, dtype, device);
            engine = EngineFactory.Create(load.Engine, model, load.Dtype);
            if (device.type == DeviceType.CUDA)
                torch.cuda.synchronize();
            Send(new Loaded(clock.Elapsed.TotalMilliseconds, model.Config.ParameterCount, model.WeightBytes, MemoryInUse(device) - memoryBefore));
        }
        catch (Exception e)
        {
            Log(e);
            Unload();
            Send(new Failure($"load of {load.Model.Describe()} ({load.Engine}, {load.Dtype}, {load.Device}) failed: {FirstLine(e)}"));
        }
    }

    static Gpt2 BuildModel(ModelSpec spec, torch.ScalarType dtype, torch.Device device)
    {
        if (spec.Path is not null)
            return HfCheckpoint.Load(spec.Path, dtype, device).Model;
        if (spec.Preset is null)
            throw new ArgumentException("the model names neither a preset nor a path");
        if (!Presets.All.TryGetValue(spec.Preset, out var config))
            throw new ArgumentException($"unknown preset '{spec.Preset}' (known: {string.Join(", ", Presets.All.Keys)})");
        return Gpt2.Random(config, spec.Seed, dtype, device);
    }

    // Device memory this load took: CUDA from the driver's free/total, the CPU from the process's working set.
    static long MemoryInUse(torch.Device device)
    {
        if (device.type != DeviceType.CUDA)
            return Environment.WorkingSet;
        var (free, total) = CudaApi.MemoryInfo();
        return total - free;
    }

    /// <summary>Runs one trial; false when the process cannot go on (a CUDA error leaves the context unusable).</summary>
    bool HandleTrial(RunTrial trial)
    {
        if ((fault ?? Fault.None).Strike(trial.InputTokens, output))
            return true;
        if (engine is null || model is null)
        {
            Send(new Failure("no model is loaded", TrialId: trial.TrialId));
            return true;
        }
        try
        {
            if (trial.InputTokens < 1 || trial.OutputTokens < 1 || trial.Warmup < 0 || trial.Repeats < 0)
                throw new ArgumentException($"bad trial shape: {trial.InputTokens} input, {trial.OutputTokens} output tokens, {trial.Warmup} warm-up runs, {trial.Repeats} repeats");
            engine.Prepare(trial.Sampling);
            for (int w = 1; w <= trial.Warmup; w++)
                Generate(trial, index: -w);
            var weightBytes = engine.WeightBytesPerToken;
            var cacheBytes = Traffic.CacheBytesPerToken(model.Config, engine.CacheElementSize, trial.InputTokens, trial.OutputTokens);
            for (int i = 0; i < trial.Repeats; i++)
            {
                var timed = Generate(trial, i);
                Send(new Sample(trial.TrialId, i, timed.TtftMs, timed.TokenArrivalMs, timed.TokensPerSecond, weightBytes, cacheBytes, timed.Tokens));
            }
            Send(new TrialDone(trial.TrialId));
            return true;
        }
        catch (Exception e)
        {
            Log(e);
            var fatal = e is CudaException || e.Message.Contains("CUDA error", StringComparison.Ordinal);
            Send(new Failure(FirstLine(e), Fatal: fatal, TrialId: trial.TrialId));
            return !fatal;
        }
    }

    // A prompt file gives every sample the same prompt (its first N tokens); otherwise each sample draws its own.
    TimedGeneration Generate(RunTrial trial, int index) =>
        TimedGeneration.Run(engine!, trial.PromptFile is { } file
                ? PromptSource.FromFile(file, trial.InputTokens)
                : Prompts.Random(trial.Seed, index, trial.InputTokens, model!.Config.VocabSize),
            trial.OutputTokens, trial.Sampling, Prompts.SampleSeed(trial.Seed, index));

    void Send(Message message) => output.WriteLine(JsonLines.Encode(message));

    static void Log(Exception e) => Console.Error.WriteLine($"gptbench engine: {e}");

    // libtorch's messages carry a C++ backtrace after the first line.
    static string FirstLine(Exception e) => e.Message.Split('\n', 2)[0].Trim();

    void Unload()
    {
        engine?.Dispose();
        model?.Dispose();
        engine = null;
        model = null;
    }

    public void Dispose() => Unload();
}
