namespace GptBench.Analysis.Cli;

/// <summary>Bad flags or arguments: the verb prints the message and exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A verb's arguments: positionals, and named options that each take a value
/// (`--name value` or `--name=value`, repeatable). `--help` / `-h` asks for help.
/// </summary>
sealed class ParsedArgs
{
    readonly Dictionary<string, List<string>> values = new();

    public List<string> Positionals { get; } = [];
    public bool Help { get; private set; }

    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options)
    {
        var parsed = new ParsedArgs();
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h") { parsed.Help = true; continue; }
            if (!arg.StartsWith('-') || arg == "-") { parsed.Positionals.Add(arg); continue; }
            var (name, inline) = arg.IndexOf('=') is var eq and > 0 ? (arg[2..eq], arg[(eq + 1)..]) : (arg.TrimStart('-'), null);
            if (!arg.StartsWith("--") || !options.Contains(name)) throw new UsageException($"unknown option '{arg}'");
            var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"option '--{name}' needs a value"));
            if (!parsed.values.TryGetValue(name, out var list)) parsed.values[name] = list = [];
            list.Add(value);
        }
        return parsed;
    }

    /// <summary>The option's value (the last one when given twice), or null.</summary>
    public string? Value(string name) => values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => values.TryGetValue(name, out var list) ? list : [];

    public string Required(string name) => Value(name) ?? throw new UsageException($"option '--{name}' is required");
}
