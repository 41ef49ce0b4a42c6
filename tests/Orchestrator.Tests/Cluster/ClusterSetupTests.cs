using Akka.Actor;
using Akka.Hosting;
using GptBench.Orchestrator.Cluster;
using GptBench.Orchestrator.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GptBench.Orchestrator.Tests.Cluster;

/// <summary>A real cluster node as `serve` configures it (a single-node cluster on 127.0.0.1): what it binds and decides.</summary>
public class ClusterSetupTests
{
    [Fact]
    public async Task Node_binds_wire_messages_to_our_serializer_keeps_majority_around_the_coordinator_and_applies_extra_config_last()
    {
        using var dir = new TempFolder();
        var extra = dir.Write("extra.conf", "akka.cluster.split-brain-resolver.stable-after = 7s");
        var port = ClusterNodes.FreePort();
        var endpoint = new NodeEndpoint("127.0.0.1", "127.0.0.1", port, NodeEndpoint.ReadExtraConfig(extra));
        var builder = NodeHosting.NewBuilder();
        builder.Services.AddAkka(ClusterSetup.SystemName, akka =>
            akka.WithGptbenchCluster(endpoint, ClusterSetup.CoordinatorRole, new NodeAddress("127.0.0.1", port)));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            foreach (var type in WireSerializer.Types.Values)
                Assert.IsType<WireSerializer>(system.Serialization.FindSerializerForType(type));
            Assert.Equal($"akka.tcp://gptbench@127.0.0.1:{port}", ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString());

            var config = system.Settings.Config;
            Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
            Assert.Equal(ClusterSetup.CoordinatorRole, config.GetString("akka.cluster.split-brain-resolver.keep-majority.role"));
            Assert.Equal("off", config.GetString("akka.cluster.split-brain-resolver.down-all-when-unstable"));
            Assert.Equal(TimeSpan.FromSeconds(7), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
            Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
            Assert.Contains(ClusterSetup.CoordinatorRole, Akka.Cluster.Cluster.Get(system).SelfRoles);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
