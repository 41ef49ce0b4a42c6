using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using GptBench.Analysis.Store;
using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Actors;
using GptBench.Orchestrator.Cluster;
using GptBench.Orchestrator.Experiments;
using GptBench.Orchestrator.Sweeps;

namespace GptBench.Orchestrator.Tests.Cluster;

/// <summary>Every message that crosses the network round-trips through the wire serializer; nothing else gets in.</summary>
public sealed class WireSerializerTests : IDisposable
{
    readonly ActorSystem system = ActorSystem.Create("wire-test");
    WireSerializer Serializer => new((ExtendedActorSystem)system);

    static readonly TrialSpec Trial = new(
        Hash: "0123456789abcdef", Ordinal: 3, ModelName: "tiny", Model: new ModelSpec("tiny", null, 5),
        Engine: "static", Dtype: "fp32", Device: "auto", InputTokens: 8, OutputTokens: 4,
        Sampling: new SamplingSpec(false, 0.7, 50), Warmup: 1, Repeats: 2, Seed: 9, PromptFile: "/data/prompt.txt",
        Timeout: TimeSpan.FromSeconds(90), Axes: new Dictionary<string, string> { ["sweep"] = "ttft", ["input_tokens"] = "8" });

    static readonly SweepDoc Sweep = new()
    {
        Id = "20260101-000000-abcdef", Name = "e2e", File = "/x/e2e.yaml", ExperimentHash = "h", TrialCount = 20,
        CreatedUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), GitCommit = "abc", Host = "box",
    };

    public static TheoryData<IClusterMessage> Messages() =>
    [
        new RequestTrial("127.0.0.1:4000/cpu0", "tiny|static|fp32|cpu", HasGpu: true),
        new TrialAssignment(Trial, 2),
        new TrialSucceeded(Trial.Hash,
            [new Sample(Trial.Hash, 0, 1.5, [1.5, 2.25, 3.0, 3.75], double.NaN, 1000, 20, [1, 2, 3, 4])],
            new EnvironmentInfo("box", "cpu model", "cuda", "NVIDIA H100", "580", "12.8", "2.10.0", "0.107.0", "10.0", "1",
                GpuUuid: "GPU-0a1b2c3d-0000-1111-2222-333344445555", GpuIndex: 0, GpuCount: 1), "n/gpu1", "abc"),
        new TrialFailed(Trial.Hash, "engine process exited with code 134", "n/cpu0"),
        new NoWorkLeft(),
        new SubmitSweep(new Experiment("e2e", "/x/e2e.yaml", "hash", [Trial]), Fresh: true),
        new FollowSweep(Sweep.Id),
        new SweepRejected("no such sweep"),
        new ProgressStarted(Sweep, 20, 7),
        new ProgressTrialStarted(Trial, "n/cpu0", 1),
        new ProgressTrialFinished(Trial, [new SampleDoc { Id = "s/0", TrialId = "t", TtftMs = 2.5, TokenArrivalMs = [2.5, 3], TokensPerSecond = 2 }]),
        new ProgressTrialFailed(Trial, "lost", WillRetry: true),
        new ProgressFinished(new SweepOutcome(Sweep.Id, 20, 19, 1)),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Message_survives_the_wire(IClusterMessage message)
    {
        var bytes = Serializer.ToBinary(message);
        var back = Serializer.FromBinary(bytes, Serializer.Manifest(message));
        Assert.IsType(message.GetType(), back);
        // Whatever did not come back would be missing (or defaulted) when written out again.
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(Serializer.ToBinary(back)));
    }

    [Fact]
    public void Every_message_type_has_a_manifest_and_a_round_trip_case()
    {
        var messageTypes = typeof(IClusterMessage).Assembly.GetTypes()
            .Where(t => typeof(IClusterMessage).IsAssignableFrom(t) && !t.IsInterface && !t.IsAbstract).ToHashSet();
        Assert.Equal(messageTypes.OrderBy(t => t.Name), WireSerializer.Types.Values.OrderBy(t => t.Name));
        Assert.Equal(messageTypes.OrderBy(t => t.Name), Messages().Select((object[] row) => row[0].GetType()).OrderBy(t => t.Name));
    }

    [Fact]
    public void Unknown_manifest_is_refused_before_anything_is_built()
    {
        var bytes = Encoding.UTF8.GetBytes("{}");
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes, "System.Diagnostics.Process, System"));
        Assert.Contains("unknown gptbench wire message", e.Message);
    }

    [Fact]
    public void Types_outside_the_table_are_not_written()
    {
        Assert.Throws<ArgumentException>(() => Serializer.ToBinary(new PlannedTrial(Trial, new TrialDoc())));
    }

    public void Dispose() => system.Terminate().Wait(TimeSpan.FromSeconds(10));
}
