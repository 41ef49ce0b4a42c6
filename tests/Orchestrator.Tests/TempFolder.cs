using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Tests;

/// <summary>A scratch folder for experiment files written by a test; deleted afterwards.</summary>
sealed class TempFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("gptbench-experiments-").FullName;

    public string Write(string name, string text)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public Experiment Load(string yaml, string name = "experiment.yaml") => ExperimentLoader.Load(Write(name, yaml));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
