using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using GptBench.Orchestrator.Actors;

namespace GptBench.Orchestrator.Cluster;

/// <summary>
/// How gptbench's own messages cross the network: System.Text.Json, named by a fixed manifest.
/// A received manifest is looked up in <see cref="Types"/> and nothing else: no type name from the
/// wire decides what gets constructed. Akka's own messages (cluster gossip, heartbeats, Identify)
/// keep Akka's serializers.
/// </summary>
public sealed class WireSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 4701;

    /// <summary>Every message that may cross the network, by its manifest. Add a line here with each new one.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Types = new Dictionary<string, Type>
    {
        ["request-trial"] = typeof(RequestTrial),
        ["trial-assignment"] = typeof(TrialAssignment),
        ["trial-succeeded"] = typeof(TrialSucceeded),
        ["trial-failed"] = typeof(TrialFailed),
        ["no-work-left"] = typeof(NoWorkLeft),
        ["submit-sweep"] = typeof(SubmitSweep),
        ["follow-sweep"] = typeof(FollowSweep),
        ["sweep-rejected"] = typeof(SweepRejected),
        ["progress-started"] = typeof(ProgressStarted),
        ["progress-trial-started"] = typeof(ProgressTrialStarted),
        ["progress-trial-finished"] = typeof(ProgressTrialFinished),
        ["progress-trial-failed"] = typeof(ProgressTrialFailed),
        ["progress-finished"] = typeof(ProgressFinished),
    };

    static readonly Dictionary<Type, string> Manifests = Types.ToDictionary(kv => kv.Value, kv => kv.Key);

    static readonly JsonSerializerOptions Options = new()
    {
        // A throughput of 1 output token is 0/0: NaN must travel as it is stored.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} is not a gptbench wire message (add it to WireSerializer.Types)");

    public override byte[] ToBinary(object obj)
    {
        Manifest(obj); // fails for a type outside the table
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown gptbench wire message '{manifest}'");
        return JsonSerializer.Deserialize(bytes, type, Options)
            ?? throw new SerializationException($"empty gptbench wire message '{manifest}'");
    }
}
