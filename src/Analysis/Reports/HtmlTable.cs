using System.Net;
using System.Text;
using GptBench.Analysis.Tables;

namespace GptBench.Analysis.Reports;

/// <summary>A table as an HTML table, cells shown as the text table shows them.</summary>
static class HtmlTable
{
    public static string Render(Table table)
    {
        var html = new StringBuilder("<div class=\"scroll\"><table>\n<thead><tr>");
        foreach (var c in table.Columns) html.Append("<th>").Append(WebUtility.HtmlEncode(c.Name)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (int i = 0; i < row.Length; i++)
                html.Append(Cells.IsNumber(row[i]) ? "<td class=\"num\">" : "<td>")
                    .Append(WebUtility.HtmlEncode(Cells.Shown(row[i], table.Columns[i]))).Append("</td>");
            html.Append("</tr>\n");
        }
        return html.Append("</tbody></table></div>\n").ToString();
    }
}
