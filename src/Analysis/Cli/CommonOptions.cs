using System.Globalization;
using GptBench.Analysis.Queries;
using GptBench.Analysis.Store;
using GptBench.Analysis.Tables;
using GptBench.CommandLine;

namespace GptBench.Analysis.Cli;

/// <summary>The options several verbs share: the store's path, output format, result filters.</summary>
static class CommonOptions
{
    public static readonly string[] Filters = ["sweep", "model", "engine", "dtype", "device", "gpu", "host", "since", "until", "axis"];

    /// <summary>The store (<see cref="StorePath"/>), opened read-only; it must exist.</summary>
    public static ResultStore OpenStore(ParsedCommand args)
    {
        var path = StorePath.Of(args);
        if (!File.Exists(path))
            throw new UsageException($"no result store at '{path}' (give --db PATH or set {StorePath.Variable})");
        return new ResultStore(path, readOnly: true);
    }

    public static TableFormat Format(ParsedCommand args, TableFormat fallback)
    {
        var text = args.Value("format");
        if (text is null) return fallback;
        return TableFormats.TryParse(text, out var format)
            ? format
            : throw new UsageException($"unknown format '{text}' (expected table, csv or json)");
    }

    public static ResultFilter Filter(ParsedCommand args) => new()
    {
        Sweep = args.Value("sweep"),
        Model = args.Value("model"),
        Engine = args.Value("engine"),
        Dtype = args.Value("dtype"),
        Device = args.Value("device"),
        Gpu = args.Value("gpu"),
        Host = args.Value("host"),
        Since = Date(args, "since", endOfDay: false),
        Until = Date(args, "until", endOfDay: true),
        Axes = args.Values("axis").Select(Axis).GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Last().Value),
    };

    /// <summary>ISO dates in UTC. A bare date given to --until includes that whole day.</summary>
    static DateTime? Date(ParsedCommand args, string name, bool endOfDay)
    {
        var text = args.Value(name);
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(endOfDay ? 1 : 0);
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return time;
        throw new UsageException($"--{name} '{text}' is not a date (expected e.g. 2025-03-01 or 2025-03-01T12:00:00Z)");
    }

    static KeyValuePair<string, string> Axis(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new UsageException($"--axis '{text}' should be NAME=VALUE");
        return new(text[..eq], text[(eq + 1)..]);
    }
}
