using GptBench.GpuWorker.Protocol;
using YamlDotNet.RepresentationModel;

namespace GptBench.Orchestrator.Experiments;

/// <summary>What every trial of an experiment shares. <see cref="PromptSha256"/> is the prompt file's content hash.</summary>
internal sealed record Settings(
    string Device,
    SamplingSpec Sampling,
    int Warmup,
    int Repeats,
    long Seed,
    string? PromptFile,
    string? PromptSha256,
    TimeSpan Timeout)
{
    /// <summary><c>auto</c> stays as written: the worker resolves it to cuda or cpu when it runs.</summary>
    public static readonly IReadOnlyList<string> Devices = ["auto", "cpu", "cuda"];

    public static Settings Read(YamlSource source, Fields experiment)
    {
        var prompt = experiment.Get("prompt_file") is { } promptNode ? source.ExistingFile(promptNode, "prompt_file") : null;
        return new Settings(
            Device: experiment.Get("device") is { } device ? source.OneOf(device, "device", Devices) : "auto",
            Sampling: experiment.Get("sampling") is { } sampling ? ReadSampling(source, sampling) : new SamplingSpec(),
            Warmup: experiment.Get("warmup") is { } warmup ? source.Int(warmup, "warmup", min: 0) : 1,
            Repeats: experiment.Get("repeats") is { } repeats ? source.Int(repeats, "repeats", min: 1) : 3,
            Seed: experiment.Get("seed") is { } seed ? source.Long(seed, "seed") : 0,
            PromptFile: prompt,
            PromptSha256: prompt is null ? null : Canonical.FileSha256(prompt),
            Timeout: TimeSpan.FromSeconds(experiment.Get("timeout_s") is { } timeout ? source.Positive(timeout, "timeout_s") : 600));
    }

    // {greedy: true}, or {temperature: T, top_k: K} (greedy: false implied; top_k 0 means no top-k cut).
    static SamplingSpec ReadSampling(YamlSource source, YamlNode node)
    {
        var fields = source.Mapping(node, "sampling", ["greedy", "temperature", "top_k"]);
        var temperature = fields.Get("temperature");
        var topK = fields.Get("top_k");
        var greedy = fields.Get("greedy") is { } greedyNode ? source.Bool(greedyNode, "greedy") : temperature is null && topK is null;
        if (greedy)
        {
            if ((temperature ?? topK) is { } extra)
                throw source.Error(extra, "greedy sampling takes no temperature or top_k; expected greedy: false, or no greedy key");
            return new SamplingSpec();
        }
        return new SamplingSpec(
            Greedy: false,
            Temperature: temperature is null ? 1.0 : source.Positive(temperature, "temperature"),
            TopK: topK is null ? 0 : source.Int(topK, "top_k", min: 0));
    }
}
