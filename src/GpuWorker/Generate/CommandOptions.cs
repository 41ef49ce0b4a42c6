using System.Globalization;

namespace GptBench.GpuWorker.Generate;

/// <summary>A bad command line; the command prints it with its usage and exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The worker's small commands' arguments: <c>--name value</c> options, <c>--flag</c> switches and positional
/// arguments. Anything not declared is an error, so a typo never passes silently.
/// </summary>
public sealed class CommandOptions
{
    readonly Dictionary<string, string> values = [];
    readonly HashSet<string> flagsGiven = [];

    public IReadOnlyList<string> Positional { get; }

    CommandOptions(List<string> positional) => Positional = positional;

    public static CommandOptions Parse(string[] args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var positional = new List<string>();
        var options = new CommandOptions(positional);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                positional.Add(arg);
            else if (flags.Contains(arg))
                options.flagsGiven.Add(arg);
            else if (valued.Contains(arg))
                options.values[arg] = i + 1 < args.Length ? args[++i] : throw new UsageException($"{arg} needs a value");
            else
                throw new UsageException($"unknown option {arg}");
        }
        return options;
    }

    public bool Flag(string name) => flagsGiven.Contains(name);

    public string? Value(string name) => values.GetValueOrDefault(name);

    public string Required(string name) => Value(name) ?? throw new UsageException($"{name} is required");

    public string ValueOr(string name, string fallback) => Value(name) ?? fallback;

    public int Int(string name, int fallback) => Parse(name, fallback, text => int.Parse(text, CultureInfo.InvariantCulture));

    public long Long(string name, long fallback) => Parse(name, fallback, text => long.Parse(text, CultureInfo.InvariantCulture));

    public double Double(string name, double fallback) => Parse(name, fallback, text => double.Parse(text, CultureInfo.InvariantCulture));

    T Parse<T>(string name, T fallback, Func<string, T> parse)
    {
        var text = Value(name);
        if (text is null)
            return fallback;
        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            throw new UsageException($"{name} must be a {typeof(T).Name.ToLowerInvariant()}, not '{text}'");
        }
        catch (OverflowException)
        {
            throw new UsageException($"{name} is out of range: '{text}'");
        }
    }
}
