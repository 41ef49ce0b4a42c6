using Akka.Actor;
using GptBench.CommandLine;
using GptBench.Orchestrator.Cli;
using GptBench.Orchestrator.Engines;
using GptBench.GpuWorker.Protocol;

namespace GptBench.Orchestrator.Tests.Cli;

/// <summary>--gpus and --cpu-slots, as `run` and `worker` read them.</summary>
public class SlotOptionsTests
{
    static IReadOnlyList<WorkerSlot> Slots(IReadOnlyList<int> usableGpus, params string[] argv) =>
        SlotOptions.From(ParsedCommand.Parse(argv, SlotOptions.Names), usableGpus);

    [Fact]
    public void A_gpu_listed_twice_gets_two_slots_with_their_own_names_both_pinned_to_it()
    {
        var slots = Slots([0, 1], "--gpus", "0,1,0");
        Assert.Equal(["gpu0", "gpu1", "gpu0.1"], slots.Select(s => s.Name));
        Assert.Equal([0, 1, 0], slots.Select(s => s.Gpu!.Value));
        Assert.All(slots, s => Assert.True(ActorPath.IsValidPathElement($"worker-{s.Name}"), s.Name)); // the worker actors' names

        var launch = EngineLauncher.For(slots[2], new ModelSpec(Preset: "tiny"), "tiny", "static", "fp32", "cuda");
        Assert.Equal("0", launch.StartInfo.Environment["CUDA_VISIBLE_DEVICES"]);
        Assert.Equal(["gpu0", "gpu0.1", "gpu0.2"], Slots([0], "--gpus", "0, 0,0").Select(s => s.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0,")]
    [InlineData("0,,1")]
    [InlineData("a")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData("0;1")]
    public void A_malformed_list_is_a_usage_error(string list)
    {
        var e = Assert.Throws<UsageException>(() => Slots([0, 1], "--gpus", list));
        Assert.Contains("--gpus must list GPU indexes", e.Message);
    }

    [Fact]
    public void Gpus_that_cannot_run_engines_here_are_usage_errors()
    {
        Assert.Contains("GPU 2 is not visible (visible: 0,1)", Assert.Throws<UsageException>(() => Slots([0, 1], "--gpus", "0,2")).Message);
        Assert.Contains("no usable CUDA GPU", Assert.Throws<UsageException>(() => Slots([], "--gpus", "0")).Message);
        Assert.Contains("not both", Assert.Throws<UsageException>(() => Slots([0], "--gpus", "0", "--cpu-slots", "2")).Message);
    }

    [Fact]
    public void Without_gpus_the_slots_are_every_usable_gpu_else_the_cpu()
    {
        Assert.Equal(["gpu0", "gpu1"], Slots([0, 1]).Select(s => s.Name));
        Assert.Equal(["cpu0"], Slots([]).Select(s => s.Name));
        Assert.Equal(["cpu0", "cpu1", "cpu2"], Slots([0, 1], "--cpu-slots", "3").Select(s => s.Name));
    }
}
