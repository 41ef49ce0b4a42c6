using GptBench.CommandLine;

namespace GptBench.Analysis.Cli;

/// <summary>Where the result store is, for every verb that reads or writes it: --db, else GPTBENCH_DB, else ./gptbench.db.</summary>
public static class StorePath
{
    public const string Variable = "GPTBENCH_DB";
    public const string Default = "./gptbench.db";

    public static string Of(ParsedCommand args)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(Variable);
        return args.Value("db") ?? (string.IsNullOrEmpty(fromEnvironment) ? Default : fromEnvironment);
    }
}
