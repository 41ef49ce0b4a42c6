using GptBench.Analysis.Cli;

namespace GptBench.Orchestrator.Cli;

/// <summary>
/// The command line of one verb: positionals, `--name value` options and `--flag` switches.
/// Only names the verb declares are accepted, so a typo is an error rather than silently ignored.
/// </summary>
public sealed class Args
{
    readonly Dictionary<string, string> options = [];
    readonly HashSet<string> flags = [];
    public IReadOnlyList<string> Positionals { get; }

    public Args(IEnumerable<string> args, IReadOnlyCollection<string> optionNames, IReadOnlyCollection<string> flagNames)
    {
        var positionals = new List<string>();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--")
            {
                positionals.Add(a);
                continue;
            }
            var name = a[2..];
            string? inline = null;
            if (name.IndexOf('=') is var eq and > 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (flagNames.Contains(name) && inline is null) { flags.Add(name); continue; }
            if (!optionNames.Contains(name))
                throw new UsageException($"unknown option --{name} (expected one of: {string.Join(", ", optionNames.Concat(flagNames).Order().Select(n => "--" + n))})");
            var value = inline ?? (i + 1 < list.Count ? list[++i] : throw new UsageException($"--{name} needs a value"));
            options[name] = value;
        }
        Positionals = positionals;
    }

    public string? Option(string name) => options.GetValueOrDefault(name);

    public bool Flag(string name) => flags.Contains(name);

    public int IntOption(string name, int fallback, int min)
    {
        if (Option(name) is not { } text) return fallback;
        if (!int.TryParse(text, out var value) || value < min)
            throw new UsageException($"--{name} must be a whole number >= {min}, got '{text}'");
        return value;
    }

    /// <summary>The store: --db, else GPTBENCH_DB, else ./gptbench.db.</summary>
    public string DbPath() => Option("db") ?? Environment.GetEnvironmentVariable("GPTBENCH_DB") ?? "gptbench.db";
}
