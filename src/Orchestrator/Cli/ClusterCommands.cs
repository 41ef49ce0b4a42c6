using GptBench.Analysis.Cli;
using GptBench.CommandLine;
using GptBench.Analysis.Store;
using GptBench.Orchestrator.Actors;
using GptBench.Orchestrator.Cluster;
using GptBench.Orchestrator.Engines;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Hosting;
using GptBench.Orchestrator.Progress;

namespace GptBench.Orchestrator.Cli;

/// <summary>The several-machines verbs: `serve` (the coordinator node), `worker` (a worker node), `submit`.</summary>
public static class ClusterCommands
{
    public const string ServeHelp = """
        usage: gptbench serve --port P [--db PATH] [--host ADDR] [--bind ADDR] [--max-attempts N] [--akka-config FILE]

        Runs the coordinator node: the cluster's seed, the only writer of the store. On start it
        resumes every unfinished sweep in the store; workers join it with `gptbench worker --join
        ADDR:P`, sweeps arrive with `gptbench submit FILE.yaml --to ADDR:P`. Runs until Ctrl-C.
          --port P           port to listen on
          --db PATH          result store (default: $GPTBENCH_DB or ./gptbench.db)
          --host ADDR        the address the other nodes reach this one by (default 127.0.0.1: this machine only)
          --bind ADDR        the interface to listen on (default: --host; 0.0.0.0 in a container)
          --max-attempts N   tries per trial before it is marked failed (default 2)
          --akka-config FILE extra Akka HOCON, applied last (TLS, failure-detector timings)
        """;

    public const string WorkerHelp = $"""
        usage: gptbench worker --join HOST:P [--gpus 0,1 | --cpu-slots N] [--host ADDR] [--bind ADDR] [--port P] [--akka-config FILE]

        Runs a worker node: one worker per GPU slot (its engine processes pinned with CUDA_VISIBLE_DEVICES)
        or N CPU slots, each pulling trials from the coordinator at HOST:P. If the coordinator goes away
        or the cluster removes this node, it starts again and keeps trying to join. Runs until Ctrl-C.
          --join HOST:P      the coordinator (`gptbench serve`)
        {SlotOptions.Help}
          --host ADDR        the address the coordinator reaches this node by (default 127.0.0.1)
          --bind ADDR        the interface to listen on (default: --host)
          --port P           port to listen on (default: any free one)
          --akka-config FILE extra Akka HOCON, applied last (TLS, failure-detector timings)
        """;

    public const string SubmitHelp = """
        usage: gptbench submit FILE.yaml --to HOST:P [--fresh] [--plain] [--wait SECONDS] [--host ADDR] [--akka-config FILE]

        Checks and expands the experiment here, hands its trials to the coordinator at HOST:P and
        follows the sweep until it is done. Ctrl-C detaches: the sweep goes on; submitting the same
        file again follows it again (or resumes it, like `run`). Paths in the experiment (checkpoints,
        prompt files) must exist at the same place on the worker machines.
          --fresh            start a new sweep instead of resuming the newest one of this file
          --plain            log lines instead of the live display (the default when stdout is not a terminal)
          --wait SECONDS     how long to wait for the coordinator to answer, also after losing it (default 60)
          --host ADDR        the address the coordinator reaches this process by (default 127.0.0.1)
          --akka-config FILE extra Akka HOCON, applied last (TLS)
        """;

    public static async Task<int> ServeAsync(string[] argv)
    {
        var args = ParsedCommand.Parse(argv, ["port", "db", "host", "bind", "max-attempts", "akka-config"]);
        NoPositionals(args, "serve");
        var port = args.Int("port", 0, min: 1);
        if (port == 0) throw new UsageException("--port is required");
        var endpoint = Endpoint(args, port);
        // Akka listens with SO_REUSEADDR (which .NET on Linux pairs with SO_REUSEPORT, so that a restarted
        // coordinator can take its port back at once): nothing stops a second coordinator on a live port but this.
        if (Listening(endpoint.Bind, port))
            throw new UsageException($"port {port} is in use: is a coordinator already running there?");
        var maxAttempts = args.Int("max-attempts", 2, min: 1);
        using var store = new ResultStore(StorePath.Of(args));
        var gitCommit = BuildInfo.GitCommit;
        Console.WriteLine($"coordinator: store {Path.GetFullPath(StorePath.Of(args))}, listening on {endpoint.Bind}:{port} as {endpoint.Host}:{port}");
        var ran = await ClusterHosts.RunNodeAsync("coordinator", () => ClusterHosts.Serve(endpoint, store, maxAttempts, gitCommit));
        return ran ? ExitCodes.Success : ExitCodes.Failure;
    }

    public static async Task<int> WorkerAsync(string[] argv)
    {
        var args = ParsedCommand.Parse(argv, ["join", .. SlotOptions.Names, "host", "bind", "port", "akka-config"]);
        NoPositionals(args, "worker");
        var join = NodeAddress.Parse(args.Value("join") ?? throw new UsageException("--join HOST:PORT is required"), "join");
        var endpoint = Endpoint(args, args.Int("port", 0, min: 1));
        var slots = SlotOptions.From(args, GpuInventory.UsableGpus());
        var ran = await ClusterHosts.RunNodeAsync("worker", () => ClusterHosts.Worker(endpoint, join, slots));
        return ran ? ExitCodes.Success : ExitCodes.Failure;
    }

    public static async Task<int> SubmitAsync(string[] argv)
    {
        var args = ParsedCommand.Parse(argv, ["to", "host", "wait", "akka-config"], ["fresh", "plain"]);
        if (args.Positionals.Count != 1) throw new UsageException("submit takes one experiment file");
        var to = NodeAddress.Parse(args.Value("to") ?? throw new UsageException("--to HOST:PORT is required"), "to");
        var patience = TimeSpan.FromSeconds(args.Int("wait", 60, min: 1));
        var experiment = ExperimentLoader.Load(args.Positionals[0]);
        IProgressSink progress = ProgressSinks.ForConsole(plain: args.Flag("plain"));
        try
        {
            var outcome = await ClusterHosts.SubmitAsync(Endpoint(args, 0), to, new SubmitSweep(experiment, args.Flag("fresh")), progress, patience);
            (progress as IDisposable)?.Dispose();
            if (outcome is null)
            {
                Console.Error.WriteLine($"detached; the sweep goes on at {to} (submit the same file again to follow it)");
                return ExitCodes.Failure;
            }
            Console.WriteLine($"results: in the coordinator's store at {to} (sweep {outcome.SweepId})");
            return outcome.Complete ? ExitCodes.Success : ExitCodes.Failure;
        }
        catch (FollowFailedException e)
        {
            (progress as IDisposable)?.Dispose();
            Console.Error.WriteLine($"gptbench submit: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    static bool Listening(string bind, int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            var host = bind is "0.0.0.0" or "::" ? "127.0.0.1" : bind;
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            return false;
        }
    }

    static void NoPositionals(ParsedCommand args, string verb)
    {
        if (args.Positionals.Count > 0) throw new UsageException($"{verb} takes no positional arguments, got '{args.Positionals[0]}'");
    }

    static NodeEndpoint Endpoint(ParsedCommand args, int port)
    {
        var host = args.Value("host") ?? "127.0.0.1";
        return new NodeEndpoint(host, args.Value("bind") ?? host, port, NodeEndpoint.ReadExtraConfig(args.Value("akka-config")));
    }
}
