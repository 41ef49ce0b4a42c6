using System.Globalization;
using GptBench.Analysis.Comparison;
using GptBench.Analysis.Plots;
using GptBench.Analysis.Queries;
using GptBench.Analysis.Reports;
using GptBench.Analysis.Tables;
using GptBench.CommandLine;

namespace GptBench.Analysis.Cli;

/// <summary>
/// The verbs the `gptbench` command hands to Analysis. Each parses its own arguments and returns the
/// exit code: 0 success, 2 bad input (flag, missing store, unknown sweep), 1 anything else,
/// and for compare 3 when a regression is found.
/// </summary>
public static class AnalysisVerbs
{
    public const int Ok = 0, Failure = 1, BadInput = 2, RegressionFound = 3;

    static readonly string[] ResultsOptions = [.. CommonOptions.Filters, "format", "out", "db"];
    static readonly string[] ReportOptions = ["sweep", "out", "db"];
    static readonly string[] CompareOptions = ["metric", "min-change", "format", "db"];

    public static int Results(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, ResultsOptions, HelpText.Results, stdout, stderr, parsed =>
        {
            if (parsed.Positionals.Count != 1)
                throw new UsageException("expected one of: sweeps, trials, samples, slots, export");
            var what = parsed.Positionals[0];
            var format = CommonOptions.Format(parsed, TableFormat.Table);
            if (what == "export" && (parsed.Value("format") is null || format == TableFormat.Table))
                throw new UsageException("export needs --format csv or --format json");
            using var store = CommonOptions.OpenStore(parsed);
            var query = new ResultQuery(store);
            var filter = CommonOptions.Filter(parsed);
            var table = what switch
            {
                "sweeps" => ResultTables.Sweeps(query.Sweeps(filter).Select(s => (s, query.TrialsOf(s)))),
                "trials" => ResultTables.Trials(query.Trials(filter).Select(r => (r, query.Statistics(r))).ToList()),
                "samples" or "export" => ResultTables.Samples(query.Samples(filter)),
                "slots" => SlotTable.Of(query.Samples(filter)),
                _ => throw new UsageException($"unknown listing '{what}' (expected sweeps, trials, samples, slots or export)"),
            };
            if (parsed.Value("out") is not { } path)
            {
                TableWriter.Write(table, format, stdout);
                if (what == "slots" && format == TableFormat.Table)
                    foreach (var line in SlotTable.Totals(query.Samples(filter))) stdout.WriteLine(line);
                return Ok;
            }
            using (var file = new StreamWriter(path)) TableWriter.Write(table, format, file);
            stdout.WriteLine($"wrote {table.Rows.Count} rows to {path}");
            return Ok;
        });

    public static int Report(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, ReportOptions, HelpText.Report, stdout, stderr, parsed =>
        {
            if (parsed.Positionals.Count > 0) throw new UsageException($"unexpected argument '{parsed.Positionals[0]}'");
            var sweepId = parsed.Required("sweep");
            var directory = parsed.Required("out");
            using var store = CommonOptions.OpenStore(parsed);
            var query = new ResultQuery(store);
            var sweep = query.ResolveSweep(sweepId);
            var page = SweepReport.Write(query, sweep, directory);
            stdout.WriteLine($"report for sweep {sweep.Id} ({sweep.Name}): {page}");
            return Ok;
        });

    public static int Compare(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, CompareOptions, HelpText.Compare, stdout, stderr, parsed =>
        {
            if (parsed.Positionals.Count != 2) throw new UsageException("expected two sweeps: SWEEP_A SWEEP_B");
            Metric[] metrics = parsed.Value("metric") switch
            {
                null or "both" => [Metric.Ttft, Metric.Throughput],
                "ttft" => [Metric.Ttft],
                "throughput" => [Metric.Throughput],
                var other => throw new UsageException($"unknown metric '{other}' (expected ttft, throughput or both)"),
            };
            var minChangePercent = parsed.Double("min-change", SweepComparison.DefaultMinChange * 100);
            if (!(minChangePercent >= 0 && minChangePercent < 100))
                throw new UsageException($"--min-change is a percentage from 0 to under 100, got {minChangePercent.ToString(CultureInfo.InvariantCulture)}");
            var format = CommonOptions.Format(parsed, TableFormat.Table);
            using var store = CommonOptions.OpenStore(parsed);
            var query = new ResultQuery(store);
            var result = SweepComparison.Compare(
                query, query.ResolveSweep(parsed.Positionals[0]), query.ResolveSweep(parsed.Positionals[1]), metrics,
                minChangePercent / 100);
            TableWriter.Write(ComparisonTable.Of(result), format, stdout);
            ComparisonSummary.Write(result, format == TableFormat.Table ? stdout : stderr);
            return result.Count(Verdict.Regression) > 0 ? RegressionFound : Ok;
        });

    static int Run(string[] args, IReadOnlyCollection<string> options, string help,
        TextWriter stdout, TextWriter stderr, Func<ParsedCommand, int> verb)
    {
        try
        {
            var parsed = ParsedCommand.Parse(args, options);
            if (!parsed.Help) return verb(parsed);
            stdout.WriteLine(help);
            return Ok;
        }
        catch (Exception e) when (e is UsageException or BadQueryException)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine("(--help shows the usage)");
            return BadInput;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {Figure.MissingDrawingLibrary(e) ?? e.Message}");
            return Failure;
        }
    }
}
