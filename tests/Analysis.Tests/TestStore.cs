using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tests;

/// <summary>A result store in a temporary folder, filled through ResultStore's own write methods.</summary>
sealed class TestStore : IDisposable
{
    public static readonly DateTime Start = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public string Folder { get; } = Directory.CreateTempSubdirectory("gptbench-analysis-").FullName;
    public string DbPath => Path.Combine(Folder, "results.db");

    public static EnvironmentDoc H100 => new()
    {
        Id = "env-h100", Host = "gpu-box-1", Cpu = "Xeon", Device = "cuda", GpuName = "NVIDIA H100 80GB HBM3",
        Driver = "580.159.04", CudaRuntime = "13.0", Libtorch = "2.11.0", TorchSharp = "0.107.0", DotNet = "10.0", GitCommit = "abc123",
    };

    public static EnvironmentDoc Laptop => new()
    {
        Id = "env-cpu", Host = "laptop", Cpu = "Ryzen", Device = "cpu", Libtorch = "2.10.0", TorchSharp = "0.107.0", DotNet = "10.0", GitCommit = "abc123",
    };

    public static TrialDoc Trial(string model, string engine, int input, int output, string dtype = "fp16", string device = "cuda") => new()
    {
        Model = model, Engine = engine, Dtype = dtype, Device = device, InputTokens = input, OutputTokens = output,
        Greedy = true, Warmup = 1, Repeats = 5, Seed = 1,
        Axes = new() { ["input_tokens"] = input.ToString(), ["output_tokens"] = output.ToString(), ["engine"] = engine },
    };

    /// <summary>A sample whose tokens arrive every gapMs after the first, which arrives at ttftMs.</summary>
    public static SampleDoc Sample(double ttftMs, IReadOnlyList<double> gapsMs, long weightBytes = 248_000_000, long cacheBytes = 1_000_000)
    {
        var arrivals = new double[gapsMs.Count + 1];
        arrivals[0] = ttftMs;
        for (int i = 0; i < gapsMs.Count; i++) arrivals[i + 1] = arrivals[i] + gapsMs[i];
        double tokensPerSecond = gapsMs.Count / (arrivals[^1] - arrivals[0]) * 1000;
        return new SampleDoc
        {
            TtftMs = ttftMs, TokenArrivalMs = arrivals, TokensPerSecond = tokensPerSecond,
            WeightBytesPerToken = weightBytes, CacheBytesPerToken = cacheBytes,
        };
    }

    /// <summary>Writes a sweep, its trials and their samples the way the coordinator does.</summary>
    public SweepDoc AddSweep(string id, DateTime created, EnvironmentDoc environment,
        IReadOnlyList<(TrialDoc Trial, IReadOnlyList<SampleDoc> Samples)> trials)
    {
        var sweep = new SweepDoc
        {
            Id = id, Name = "sweep " + id, File = "experiments/" + id + ".yaml", ExperimentHash = "hash-" + id,
            CreatedUtc = created, FinishedUtc = created.AddHours(1), TrialCount = trials.Count, GitCommit = "abc123", Host = environment.Host,
        };
        for (int i = 0; i < trials.Count; i++)
        {
            var t = trials[i].Trial;
            t.SweepId = id;
            t.Ordinal = i;
            t.TrialHash = $"t{i:000}{t.Engine}{t.InputTokens}x{t.OutputTokens}";
            t.Id = $"{id}/{t.TrialHash}";
        }
        using var store = new ResultStore(DbPath);
        store.CreateSweep(sweep, trials.Select(t => t.Trial));
        store.UpsertEnvironment(environment);
        foreach (var (trial, samples) in trials)
        {
            if (samples.Count == 0) continue;
            trial.EnvironmentId = environment.Id;
            trial.FinishedUtc = created.AddMinutes(trial.Ordinal + 1);
            for (int i = 0; i < samples.Count; i++)
            {
                samples[i].Id = $"{trial.Id}/{i}";
                samples[i].SweepId = id;
                samples[i].TrialId = trial.Id;
                samples[i].Index = i;
                samples[i].EnvironmentId = environment.Id;
                samples[i].CreatedUtc = trial.FinishedUtc.Value;
            }
            store.CompleteTrial(trial, samples);
        }
        return sweep;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { } // a reader still closing; the temp folder is cleaned by the OS
    }
}
