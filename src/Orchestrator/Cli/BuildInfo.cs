using System.Reflection;

namespace GptBench.Orchestrator.Cli;

public static class BuildInfo
{
    /// <summary>The project's git commit, stamped into the assembly at build time.</summary>
    public static string GitCommit { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "GitCommit")?.Value is { Length: > 0 } commit ? commit : "unknown";
}
