using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using GptBench.CommandLine;
using GptBench.Orchestrator.Actors;

namespace GptBench.Orchestrator.Cluster;

/// <summary>HOST:PORT of a node, as the other nodes reach it.</summary>
public sealed record NodeAddress(string Host, int Port)
{
    public static NodeAddress Parse(string text, string option)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new UsageException($"--{option} must be HOST:PORT, got '{text}'");
        return new NodeAddress(text[..colon], port);
    }

    /// <summary>The node's Akka address; <paramref name="protocol"/> is <see cref="NodeEndpoint.Protocol"/> of the node that asks.</summary>
    public string AkkaAddress(string protocol) => $"{protocol}://{ClusterSetup.SystemName}@{Host}:{Port}";

    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// Where a node listens. <see cref="Host"/> is the address the others use to reach it (and must
/// use: Akka drops messages addressed to any other name); <see cref="Bind"/> is the interface it
/// listens on, the same unless behind NAT or in a container (0.0.0.0). Port 0 picks a free port.
/// <see cref="ExtraConfig"/> is the user's own HOCON (--akka-config), applied over ours.
/// </summary>
public sealed record NodeEndpoint(string Host, string Bind, int Port, Config? ExtraConfig)
{
    /// <summary>With TLS on, Akka names addresses akka.ssl.tcp; every node of a cluster must agree.</summary>
    public string Protocol => ExtraConfig?.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl") == true ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>Reads --akka-config's file; bad input when missing or not HOCON.</summary>
    public static Config? ReadExtraConfig(string? file)
    {
        if (file is null) return null;
        if (!File.Exists(file)) throw new UsageException($"--akka-config: no file {file}");
        try
        {
            return ConfigurationFactory.ParseString(File.ReadAllText(file));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new UsageException($"--akka-config {file}: {e.Message}");
        }
    }
}

/// <summary>
/// The Akka set-up every gptbench node shares: one actor system name, remoting with our wire
/// serializer, and for cluster members (serve and worker) the roles, the seed (the coordinator's
/// node) and the split-brain resolver.
/// </summary>
public static class ClusterSetup
{
    public const string SystemName = "gptbench";
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";
    /// <summary>The coordinator actor's name on the serve node: workers and submitters find it at /user/coordinator.</summary>
    public const string CoordinatorName = "coordinator";

    // Timings for a LAN of a few machines (Akka's defaults suit large clusters): a crashed node is
    // marked unreachable after ~4 s and downed 5 s later, and joins are retried every 2 s so a
    // worker finds a restarted coordinator quickly.
    //
    // Split brain: keep-majority counted over the "coordinator" role, of which there is exactly one
    // member. The side that still reaches the coordinator downs the unreachable nodes (a crashed or
    // cut-off worker); a side that lost the coordinator downs itself (its workers restart and join
    // again). Only one side can ever hold the coordinator, so two sides never both carry on, and
    // down-all-when-unstable is off: a flapping worker must not take the coordinator down with it.
    const string Timings = """
        akka.remote {
          dot-netty.tcp.maximum-frame-size = 32000000b
          retry-gate-closed-for = 1s
          # A node that is down is retried every second; cluster warnings (unreachable, downed) say enough.
          log-remote-lifecycle-events = off
          watch-failure-detector.acceptable-heartbeat-pause = 5s
        }
        akka.cluster {
          seed-node-timeout = 2s
          retry-unsuccessful-join-after = 2s
          failure-detector.acceptable-heartbeat-pause = 3s
          run-coordinated-shutdown-when-down = on
          split-brain-resolver {
            stable-after = 5s
            down-all-when-unstable = off
          }
        }
        """;

    /// <summary>Remoting (for every node, `submit` included) with gptbench's wire serializer and timings.</summary>
    public static AkkaConfigurationBuilder WithGptbenchRemoting(this AkkaConfigurationBuilder akka, NodeEndpoint endpoint)
    {
        akka.WithRemoting(new RemoteOptions { HostName = endpoint.Bind, PublicHostName = endpoint.Host, Port = endpoint.Port });
        akka.WithCustomSerializer("gptbench-wire", [typeof(IClusterMessage)], system => new WireSerializer(system));
        akka.AddHocon(ConfigurationFactory.ParseString(Timings), HoconAddMode.Prepend);
        // Last, so that it wins: the user's own settings (TLS, other timings).
        if (endpoint.ExtraConfig is { } extra) akka.AddHocon(extra, HoconAddMode.Prepend);
        return akka;
    }

    /// <summary>Makes the node a cluster member with one role, joining through the coordinator's node.</summary>
    public static AkkaConfigurationBuilder WithGptbenchCluster(this AkkaConfigurationBuilder akka, NodeEndpoint endpoint, string role, NodeAddress seed)
    {
        akka.WithClustering(new ClusterOptions
        {
            Roles = [role],
            SeedNodes = [seed.AkkaAddress(endpoint.Protocol)],
            SplitBrainResolver = new KeepMajorityOption { Role = CoordinatorRole },
        });
        return akka.WithGptbenchRemoting(endpoint);
    }
}
