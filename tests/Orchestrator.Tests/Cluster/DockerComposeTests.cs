using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace GptBench.Orchestrator.Tests.Cluster;

/// <summary>
/// docker-compose.yml (repository root) describes one coordinator with its store on a volume and one
/// worker per reserved GPU, all meeting at the coordinator's port. Checked by reading it; also by
/// `docker compose config` where the compose plugin is installed.
/// </summary>
public class DockerComposeTests
{
    static readonly string Root = RepositoryRoot();
    static readonly string ComposeFile = Path.Combine(Root, "docker-compose.yml");

    [Fact]
    public void Coordinator_serves_on_the_published_port_with_its_store_on_the_volume()
    {
        var compose = Load();
        var coordinator = Map(Map(compose, "services"), "coordinator");
        var command = Command(coordinator);
        Assert.Equal("serve", command[0]);
        var port = ValueOf(command, "--port");
        Assert.Contains($"{port}:{port}", Strings(coordinator, "ports"));
        var volume = Assert.Single(Strings(coordinator, "volumes"));
        var (name, mount) = (volume.Split(':')[0], volume.Split(':')[1]);
        Assert.StartsWith(mount + "/", ValueOf(command, "--db"));
        Assert.True(Map(compose, "volumes").Children.ContainsKey(name), $"volume {name} is not declared");
        Assert.Equal("0.0.0.0", ValueOf(command, "--bind"));
        var dockerfile = Scalar(Map(coordinator, "build"), "dockerfile");
        Assert.True(File.Exists(Path.Combine(Root, dockerfile)), dockerfile);
    }

    [Fact]
    public void Each_worker_joins_the_coordinator_with_one_reserved_gpu_of_its_own()
    {
        var services = Map(Load(), "services");
        var port = ValueOf(Command(Map(services, "coordinator")), "--port");
        var workers = services.Children.Values.Cast<YamlMappingNode>().Where(s => Command(s)[0] == "worker").ToList();
        Assert.True(workers.Count >= 2, "expected a worker service per GPU");
        var reserved = new List<string>();
        foreach (var worker in workers)
        {
            var command = Command(worker);
            Assert.EndsWith($":{port}", ValueOf(command, "--join"));
            // Inside its container a worker sees its one reserved GPU as GPU 0.
            Assert.Equal("0", ValueOf(command, "--gpus"));
            var devices = (YamlSequenceNode)Map(Map(Map(worker, "deploy"), "resources"), "reservations").Children[new YamlScalarNode("devices")];
            var device = (YamlMappingNode)Assert.Single(devices.Children);
            Assert.Equal("nvidia", Scalar(device, "driver"));
            Assert.Contains("gpu", Strings(device, "capabilities"));
            reserved.Add(Assert.Single(Strings(device, "device_ids")));
        }
        Assert.Equal(reserved.Count, reserved.Distinct().Count());
    }

    [SkippableFact]
    public void Docker_compose_accepts_the_file()
    {
        Skip.IfNot(ComposePluginPresent(), "docker compose is not installed on this machine; the file was checked by reading it");
        var (code, output) = Docker("compose", "-f", ComposeFile, "config", "--quiet");
        Assert.True(code == 0, output);
    }

    static YamlMappingNode Load()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(ComposeFile);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;

    static List<string> Strings(YamlMappingNode node, string key) =>
        ((YamlSequenceNode)node.Children[new YamlScalarNode(key)]).Children.Cast<YamlScalarNode>().Select(s => s.Value!).ToList();

    static List<string> Command(YamlMappingNode service) => Strings(service, "command");

    static string ValueOf(List<string> command, string option)
    {
        var at = command.IndexOf(option);
        Assert.True(at >= 0 && at + 1 < command.Count, $"{option} missing in [{string.Join(", ", command)}]");
        return command[at + 1];
    }

    static bool ComposePluginPresent()
    {
        try
        {
            return Docker("compose", "version").Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no docker at all
        }
    }

    static (int Code, string Output) Docker(params string[] args)
    {
        var start = new ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "docker-compose.yml"))) return dir.FullName;
        throw new FileNotFoundException($"no docker-compose.yml above {AppContext.BaseDirectory}");
    }
}
