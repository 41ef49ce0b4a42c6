using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GptBench.GpuWorker.Protocol;

namespace GptBench.Orchestrator.Experiments;

/// <summary>
/// Canonical text of trials and experiments, and the hashes made of it. A trial's text holds its
/// parameters only, never names, comments or key order, so its id survives unrelated edits.
/// </summary>
internal static class Canonical
{
    /// <summary>Which weights: the checkpoint's full path, or the preset and its seed.</summary>
    public static string Model(ModelSpec model) =>
        model.Path is not null ? $"path:{model.Path}" : $"preset:{model.Preset}:seed:{model.Seed}";

    public static string Trial(TrialSpec trial, string? promptSha256) => string.Join('\n',
        $"model={Model(trial.Model)}",
        $"engine={trial.Engine}",
        $"dtype={trial.Dtype}",
        $"device={trial.Device}",
        $"input_tokens={trial.InputTokens}",
        $"output_tokens={trial.OutputTokens}",
        $"sampling={Sampling(trial.Sampling)}",
        $"warmup={trial.Warmup}",
        $"repeats={trial.Repeats}",
        $"seed={trial.Seed}",
        $"prompt={promptSha256 ?? "none"}",
        $"timeout_s={Number(trial.Timeout.TotalSeconds)}");

    /// <summary>The experiment's name and its trials with their axes, in hash order (file order does not count).</summary>
    public static string Experiment(string name, IEnumerable<TrialSpec> trials) =>
        string.Join('\n', trials
            .OrderBy(trial => trial.Hash, StringComparer.Ordinal)
            .Select(trial => trial.Hash + " " + string.Join(";", trial.Axes
                .OrderBy(axis => axis.Key, StringComparer.Ordinal)
                .Select(axis => $"{axis.Key}={axis.Value}")))
            .Prepend($"name={name}"));

    /// <summary>First 16 hex digits of the text's SHA-256.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    public static string FileSha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    static string Sampling(SamplingSpec sampling) =>
        sampling.Greedy ? "greedy" : $"temperature:{Number(sampling.Temperature)}:top_k:{sampling.TopK}";

    static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
