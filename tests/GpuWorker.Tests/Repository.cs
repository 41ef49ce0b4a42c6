namespace GptBench.GpuWorker.Tests;

/// <summary>The repository the tests run from, for the scripts and sources they run or read.</summary>
static class Repository
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "gptbench.slnx")))
                return dir.FullName;
        throw new InvalidOperationException($"no gptbench.slnx above {AppContext.BaseDirectory}");
    }
}
