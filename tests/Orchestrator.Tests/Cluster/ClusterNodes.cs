using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using GptBench.Analysis.Store;

namespace GptBench.Orchestrator.Tests.Cluster;

/// <summary>
/// Real `gptbench serve`, `worker` and `submit` processes on 127.0.0.1, on a port picked at run time,
/// with a 20-trial sweep (tiny model, CPU) written to a scratch folder.
/// </summary>
sealed partial class ClusterNodes : IDisposable
{
    public const int Trials = 20, Repeats = 3;
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    readonly TempFolder dir = new();
    readonly List<GptbenchProcess> processes = [];
    readonly IReadOnlyDictionary<string, string>? environment;
    readonly string[] nodeArgs;

    public int Port { get; } = FreePort();
    public string Coordinator => $"127.0.0.1:{Port}";
    public string Db => Path.Combine(dir.Root, "r.db");
    public string ExperimentFile { get; }

    /// <param name="environment">for every process started</param>
    /// <param name="nodeArgs">appended to every serve, worker and submit command</param>
    public ClusterNodes(IReadOnlyDictionary<string, string>? environment = null, params string[] nodeArgs)
    {
        this.environment = environment;
        this.nodeArgs = nodeArgs;
        ExperimentFile = dir.Write("sweep.yaml", $$"""
            name: cluster
            models: [tiny]
            engines: [static]
            dtype: fp32
            device: cpu
            sampling: {greedy: true}
            warmup: 0
            repeats: {{Repeats}}
            seed: 7
            timeout_s: 60
            matrix:
              input_tokens: {from: 8, to: {{8 * Trials}}, step: 8}
              output_tokens: [32]
            """);
    }

    /// <summary>A coordinator on <see cref="Port"/>, once it has resumed what the store holds.</summary>
    public GptbenchProcess Serve()
    {
        var serve = Start(["serve", "--port", Port.ToString(), "--db", Db, "--max-attempts", "3", .. nodeArgs]);
        Assert.True(serve.WaitForLine(l => l.Contains("unfinished sweep(s)"), StartTimeout), serve.Output);
        return serve;
    }

    /// <summary>A worker node with one CPU slot, once it has joined; its address is how the store names its slot.</summary>
    public (GptbenchProcess Process, string Address) Worker()
    {
        var worker = Start(["worker", "--join", Coordinator, "--cpu-slots", "1", .. nodeArgs]);
        Assert.True(worker.WaitForLine(l => l.Contains("joined the coordinator"), StartTimeout), worker.Output);
        return (worker, JoinedAs().Match(worker.Output).Groups[1].Value);
    }

    public GptbenchProcess Submit() => Start(["submit", ExperimentFile, "--to", Coordinator, "--plain", .. nodeArgs]);

    /// <summary>Any gptbench command, in the scratch folder, with the nodes' environment unless another is given.</summary>
    public GptbenchProcess Start(string[] args, IReadOnlyDictionary<string, string>? otherEnvironment = null)
    {
        var process = new GptbenchProcess(dir.Root, otherEnvironment ?? environment, args);
        processes.Add(process);
        return process;
    }

    /// <summary>Every trial done exactly once: its exact sample count, no sample twice, nothing half-stored.</summary>
    public static void AssertEveryTrialStoredOnce(ResultStore store)
    {
        var sweep = Assert.Single(store.Sweeps.FindAll());
        Assert.NotNull(sweep.FinishedUtc);
        var trials = store.Trials.FindAll().ToList();
        Assert.Equal(Trials, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialStatus.Done, t.Status));
        AssertNoHalfTrials(store);
        Assert.Equal(Trials * Repeats, store.Samples.Count());
    }

    /// <summary>Samples exist only for done trials, each with all its samples, none twice.</summary>
    public static void AssertNoHalfTrials(ResultStore store) => StoreAssertions.AssertNoHalfTrials(store, Repeats);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"worker (\S+): joined the coordinator")]
    private static partial Regex JoinedAs();

    public void Dispose()
    {
        foreach (var process in processes) process.Dispose();
        dir.Dispose();
    }
}
