using System.Globalization;

namespace GptBench.CommandLine;

/// <summary>
/// One verb's arguments: positionals, declared options that take a value (<c>--name value</c> or
/// <c>--name=value</c>, repeatable), declared <c>--flag</c> switches, and <c>--help</c> / <c>-h</c>.
/// Names are declared without their dashes. Anything else starting with a dash is an error,
/// so a typo never passes silently.
/// </summary>
public sealed class ParsedCommand
{
    readonly Dictionary<string, List<string>> values = [];
    readonly HashSet<string> flagsGiven = [];
    readonly List<string> positionals = [];

    public IReadOnlyList<string> Positionals => positionals;

    /// <summary>Whether --help or -h was given; the verb then prints its usage instead of running.</summary>
    public bool Help { get; private set; }

    ParsedCommand() { }

    public static ParsedCommand Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string>? flags = null)
    {
        flags ??= [];
        var parsed = new ParsedCommand();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (IsHelp(arg)) { parsed.Help = true; continue; }
            if (!arg.StartsWith('-') || arg == "-") { parsed.positionals.Add(arg); continue; }
            var name = arg.TrimStart('-');
            string? inline = null;
            if (name.IndexOf('=') is var eq and > 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            var known = arg.StartsWith("--", StringComparison.Ordinal);
            if (known && flags.Contains(name))
            {
                if (inline is not null) throw new UsageException($"--{name} takes no value");
                parsed.flagsGiven.Add(name);
                continue;
            }
            if (!known || !options.Contains(name))
                throw new UsageException($"unknown option {arg.Split('=')[0]} (expected one of: {string.Join(", ", options.Concat(flags).Order().Select(n => "--" + n))})");
            var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"--{name} needs a value"));
            if (!parsed.values.TryGetValue(name, out var list)) parsed.values[name] = list = [];
            list.Add(value);
        }
        return parsed;
    }

    /// <summary>--help or -h: for a verb that must print its usage before it parses its arguments.</summary>
    public static bool IsHelp(string arg) => arg is "--help" or "-h";

    public bool Flag(string name) => flagsGiven.Contains(name);

    /// <summary>The option's value (the last one when given more than once), or null.</summary>
    public string? Value(string name) => values.TryGetValue(name, out var list) ? list[^1] : null;

    /// <summary>Every value the option was given, in order.</summary>
    public IReadOnlyList<string> Values(string name) => values.TryGetValue(name, out var list) ? list : [];

    public string ValueOr(string name, string fallback) => Value(name) ?? fallback;

    public string Required(string name) => Value(name) ?? throw new UsageException($"--{name} is required");

    public int Int(string name, int fallback, int min = int.MinValue)
    {
        if (Value(name) is not { } text) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new UsageException($"--{name} must be a whole number{(min == int.MinValue ? "" : $" >= {min}")}, got '{text}'");
        return value;
    }

    public long Long(string name, long fallback)
    {
        if (Value(name) is not { } text) return fallback;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name} must be a whole number, got '{text}'");
    }

    public double Double(string name, double fallback)
    {
        if (Value(name) is not { } text) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name} must be a number, got '{text}'");
    }
}
