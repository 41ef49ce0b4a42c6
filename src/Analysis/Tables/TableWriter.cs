using System.Text.Json;

namespace GptBench.Analysis.Tables;

/// <summary>Writes a table as aligned text, CSV (RFC 4180) or a JSON array of objects.</summary>
public static class TableWriter
{
    public static void Write(Table table, TableFormat format, TextWriter output)
    {
        switch (format)
        {
            case TableFormat.Table: WriteText(table, output); break;
            case TableFormat.Csv: WriteCsv(table, output); break;
            case TableFormat.Json: WriteJson(table, output); break;
        }
    }

    /// <summary>Columns padded to their widest cell; numbers right-aligned, text left-aligned.</summary>
    static void WriteText(Table table, TextWriter output)
    {
        var shown = table.Rows.Select(r => r.Select((c, i) => Cells.Shown(c, table.Columns[i])).ToArray()).ToList();
        var widths = table.Columns.Select((c, i) => shown.Select(r => r[i].Length).Prepend(c.Name.Length).Max()).ToArray();
        var rightAligned = table.Columns.Select((_, i) => table.Rows.Any(r => Cells.IsNumber(r[i]))).ToArray();
        string Line(IEnumerable<string> cells) => string.Join("  ",
            cells.Select((c, i) => rightAligned[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        output.WriteLine(Line(table.Columns.Select(c => c.Name)));
        output.WriteLine(Line(widths.Select(w => new string('-', w))));
        foreach (var row in shown) output.WriteLine(Line(row));
    }

    static void WriteCsv(Table table, TextWriter output)
    {
        output.Write(string.Join(",", table.Columns.Select(c => Quote(c.Name))) + "\r\n");
        foreach (var row in table.Rows)
            output.Write(string.Join(",", row.Select(c => Quote(Cells.Exact(c)))) + "\r\n");
    }

    static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\r', '\n']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    static void WriteJson(Table table, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in table.Rows)
            {
                json.WriteStartObject();
                for (int i = 0; i < row.Length; i++) WriteValue(json, table.Columns[i].Name, row[i]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    static void WriteValue(Utf8JsonWriter json, string name, object? cell)
    {
        switch (cell)
        {
            case null: json.WriteNull(name); break;
            case double d when !double.IsFinite(d): json.WriteNull(name); break;
            case double d: json.WriteNumber(name, d); break;
            case int n: json.WriteNumber(name, n); break;
            case long n: json.WriteNumber(name, n); break;
            case bool b: json.WriteBoolean(name, b); break;
            default: json.WriteString(name, Cells.Exact(cell)); break;
        }
    }
}
