using System.Globalization;
using System.Text.Json;
using GptBench.Analysis.Cli;
using GptBench.Analysis.Store;
using GptBench.Analysis.Tables;

namespace GptBench.Analysis.Tests;

public class ExportTests : IDisposable
{
    readonly TestStore store = new();
    readonly List<SampleDoc> written;

    public ExportTests()
    {
        var samples = new List<SampleDoc> { TestStore.Sample(5.123456789, [1.5, 2.25]), TestStore.Sample(1 / 3.0, [0.1, 0.2]) };
        var trial = TestStore.Trial("gpt2", "graph", 16, 3);
        trial.Axes["label"] = "a, \"quoted\" value";
        store.AddSweep("export-1", TestStore.Start, TestStore.H100, [(trial, samples)]);
        written = samples;
    }

    public void Dispose() => store.Dispose();

    string Export(string format)
    {
        var file = Path.Combine(store.Folder, "export." + format);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = AnalysisVerbs.Results(["export", "--format", format, "--out", file, "--db", store.DbPath], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Equal($"wrote 2 rows to {file}", stdout.ToString().Trim());
        return File.ReadAllText(file);
    }

    [Fact]
    public void Csv_export_reads_back_one_row_per_sample_at_full_precision()
    {
        var rows = Csv.Read(Export("csv"));

        Assert.Equal(written.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(written[i].TtftMs, double.Parse(rows[i]["ttft_ms"], CultureInfo.InvariantCulture));
            Assert.Equal(written[i].TokensPerSecond, double.Parse(rows[i]["tokens_per_s"], CultureInfo.InvariantCulture));
            Assert.Equal(i.ToString(), rows[i]["sample"]);
        }
        Assert.Equal("graph", rows[0]["engine"]);
        Assert.Equal("16", rows[0]["input_tokens"]);
        Assert.Equal("a, \"quoted\" value", rows[0]["axis.label"]);
        Assert.Equal("NVIDIA H100 80GB HBM3", rows[0]["gpu"]);
        Assert.Equal("2025-03-01T12:01:00.0000000Z", rows[0]["created_utc"]);
    }

    [Fact]
    public void Json_export_reads_back_with_numbers_as_numbers()
    {
        using var json = JsonDocument.Parse(Export("json"));
        var rows = json.RootElement.EnumerateArray().ToList();

        Assert.Equal(written.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(written[i].TtftMs, rows[i].GetProperty("ttft_ms").GetDouble());
            Assert.Equal(written[i].WeightBytesPerToken, rows[i].GetProperty("weight_bytes_per_token").GetInt64());
        }
        Assert.Equal(16, rows[0].GetProperty("input_tokens").GetInt32());
        Assert.True(rows[0].GetProperty("greedy").GetBoolean());
        Assert.Equal("a, \"quoted\" value", rows[0].GetProperty("axis.label").GetString());
    }

    [Fact]
    public void Text_tables_align_columns_right_for_numbers_and_show_missing_values_as_a_dash()
    {
        var table = new Table([new("name"), new("value", "0.0")]);
        table.Add("long name", 1.25);
        table.Add("x", double.NaN);
        var output = new StringWriter();

        TableWriter.Write(table, TableFormat.Table, output);

        Assert.Equal(["name       value", "---------  -----", "long name    1.3", "x              -"],
            output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Missing_numbers_are_empty_in_csv_and_null_in_json()
    {
        var table = new Table([new("value")]);
        table.Add(double.NaN);
        var csv = new StringWriter();
        var json = new StringWriter();

        TableWriter.Write(table, TableFormat.Csv, csv);
        TableWriter.Write(table, TableFormat.Json, json);

        Assert.Equal("value\r\n\r\n", csv.ToString());
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(json.ToString()).RootElement[0].GetProperty("value").ValueKind);
    }
}
