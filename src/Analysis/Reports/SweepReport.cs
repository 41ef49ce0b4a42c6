using GptBench.Analysis.Plots;
using GptBench.Analysis.Queries;
using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;
using GptBench.Analysis.Tables;

namespace GptBench.Analysis.Reports;

/// <summary>Writes a sweep's figures (PNG + SVG) and its report.html into a folder.</summary>
public static class SweepReport
{
    public const string PageName = "report.html";

    /// <summary>Returns the page's path.</summary>
    public static string Write(ResultQuery query, SweepDoc sweep, string directory)
    {
        Directory.CreateDirectory(directory);
        var rows = query.TrialsOf(sweep);
        var trials = rows.Select(r => (Row: r, Stats: query.Statistics(r))).ToList();
        var measured = trials.Select(t => t.Stats).OfType<TrialStatistics>().ToList();
        var figures = SweepFigures.Draw(measured, query.SamplesOf).Select(f => f.Save(directory)).ToList();
        var environments = rows.Select(r => r.Environment).OfType<EnvironmentDoc>().DistinctBy(e => e.Id);
        var page = HtmlReport.Render(new ReportContent(
            sweep,
            ResultTables.Environments(environments),
            ResultTables.Trials(trials),
            figures,
            rows.Select(r => r.Trial).Where(t => t.Status == TrialStatus.Failed).ToList()));
        var path = Path.Combine(directory, PageName);
        File.WriteAllText(path, page);
        return path;
    }
}
