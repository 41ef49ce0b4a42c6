using System.Globalization;
using System.Net;
using System.Text;
using GptBench.Analysis.Plots;
using GptBench.Analysis.Queries;
using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;
using GptBench.Analysis.Tables;

namespace GptBench.Analysis.Reports;

/// <summary>What one sweep's report page shows.</summary>
public sealed record ReportContent(
    SweepDoc Sweep,
    Table Environments,
    Table Trials,
    IReadOnlyList<FigureFiles> Figures,
    IReadOnlyList<TrialDoc> FailedTrials);

/// <summary>
/// One self-contained HTML page: inline CSS, figures embedded as base64 PNG data URIs,
/// nothing fetched from the network.
/// </summary>
public static class HtmlReport
{
    const string Style = """
        body { font-family: sans-serif; margin: 2em; color: #222; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
        table { border-collapse: collapse; font-size: 0.8em; }
        th, td { border: 1px solid #ccc; padding: 2px 6px; white-space: nowrap; }
        th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .scroll { overflow-x: auto; } figure { margin: 1em 0; } img { max-width: 100%; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 2px 1em; } dt { font-weight: bold; }
        """;

    public static string Render(ReportContent content)
    {
        var s = content.Sweep;
        var html = new StringBuilder();
        html.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>gptbench: {E(s.Name)}</title>\n<style>\n{Style}</style></head><body>\n");
        html.Append($"<h1>gptbench sweep {E(s.Name)}</h1>\n<dl>\n");
        foreach (var (key, value) in new[]
                 {
                     ("Sweep", s.Id), ("Experiment", s.File), ("Started (UTC)", When(s.CreatedUtc)),
                     ("Finished (UTC)", s.FinishedUtc is { } f ? When(f) : "not finished"),
                     ("Trials", s.TrialCount.ToString()), ("Host", s.Host), ("Git commit", s.GitCommit),
                 })
            html.Append($"<dt>{E(key)}</dt><dd>{E(value)}</dd>\n");
        html.Append("</dl>\n<h2>Environments</h2>\n").Append(HtmlTable.Render(content.Environments));
        html.Append("<h2>Figures</h2>\n");
        foreach (var (name, tokens) in new[] { (TokenFigures.TtftName, "input"), (TokenFigures.ThroughputName, "output") })
            if (content.Figures.All(f => f.Name != name))
                html.Append($"<p>No {name} figure: no model|engine|dtype has trials at two or more {tokens} token counts.</p>\n");
        foreach (var figure in content.Figures)
            html.Append($"<figure><img alt=\"{E(figure.Title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(figure.PngPath))}\">")
                .Append($"<figcaption>{E(figure.Title)} ({E(Path.GetFileName(figure.PngPath))}, {E(Path.GetFileName(figure.SvgPath))})</figcaption></figure>\n");
        html.Append("<h2>Statistics per trial</h2>\n")
            .Append($"<p>Medians and p10/p90 are Hyndman-Fan type 7 quantiles; ci95 is the Student-t 95% interval of the mean; outliers: {E(Summary.OutlierRule)}. ")
            .Append("tps = decode tokens per second; itl = inter-token latency; achieved bandwidth = (weight + cache bytes per token) &times; tokens/s.</p>\n")
            .Append(HtmlTable.Render(content.Trials));
        if (content.FailedTrials.Count > 0)
        {
            html.Append("<h2>Failed trials</h2>\n<ul>\n");
            foreach (var t in content.FailedTrials)
                html.Append($"<li>{E(t.TrialHash)} ({E(t.Model)}|{E(t.Engine)}|{E(t.Dtype)}, {t.InputTokens} in, {t.OutputTokens} out): {E(t.Error ?? "no error recorded")}</li>\n");
            html.Append("</ul>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    static string When(DateTime t) => UtcDates.Utc(t).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
