using GptBench.Analysis.Cli;
using GptBench.CommandLine;

namespace GptBench.Analysis.Tests;

public class CliTests : IDisposable
{
    readonly TestStore store = new();

    public CliTests() => SeedSweeps.Add(store, "cli-sweep", seed: 5, step: 480, repeats: 3);

    public void Dispose() => store.Dispose();

    static (int Code, string Stdout, string Stderr) Run(Func<string[], TextWriter, TextWriter, int> verb, params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = verb(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    (int Code, string Stdout, string Stderr) Results(params string[] args) =>
        Run(AnalysisVerbs.Results, [.. args, "--db", store.DbPath]);

    [Fact]
    public void Trials_are_listed_with_their_statistics_as_an_aligned_table()
    {
        var (code, stdout, _) = Results("trials", "--engine", "graph", "--axis", "output_tokens=32");

        Assert.Equal(0, code);
        var lines = stdout.TrimEnd().Split(Environment.NewLine);
        Assert.Equal(2 + 3, lines.Length); // header, rule, inputs 16, 496, 976
        Assert.Contains("ttft_ci95_low_ms", lines[0]);
        Assert.Contains("pct_of_limit", lines[0]);
        Assert.All(lines.Skip(2), l => Assert.Contains(" graph ", l));
        Assert.Equal(lines[0].IndexOf("samples") + "samples".Length, lines[2].IndexOf("      3 ") + 7);
    }

    [Fact]
    public void Sweeps_and_samples_answer_in_csv_or_json()
    {
        var sweeps = Csv.Read(Results("sweeps", "--format", "csv", "--gpu", "H100").Stdout);
        Assert.Equal("cli-sweep", Assert.Single(sweeps)["sweep_id"]);
        Assert.Equal("cli-sweep", Assert.Single(Csv.Read(Results("sweeps", "--format=csv").Stdout))["sweep_id"]);
        var samples = System.Text.Json.JsonDocument.Parse(Results("samples", "--format", "json", "--engine", "eager", "--axis", "input_tokens=496").Stdout);
        Assert.Equal(3, samples.RootElement.GetArrayLength());
        Assert.Equal("[]", Results("samples", "--format", "json", "--until", "2025-02-28").Stdout.Trim());
        Assert.Equal(12 * 3, Csv.Read(Results("samples", "--format", "csv", "--until", "2025-03-01").Stdout).Count);
    }

    [Fact]
    public void The_store_path_comes_from_GPTBENCH_DB_when_db_is_not_given()
    {
        var before = Environment.GetEnvironmentVariable(StorePath.Variable);
        try
        {
            Environment.SetEnvironmentVariable(StorePath.Variable, store.DbPath);
            var (code, stdout, _) = Run(AnalysisVerbs.Results, "sweeps");
            Assert.Equal(0, code);
            Assert.Contains("cli-sweep", stdout);
        }
        finally
        {
            Environment.SetEnvironmentVariable(StorePath.Variable, before);
        }
    }

    [Fact]
    public void The_store_path_is_db_else_GPTBENCH_DB_else_the_working_folder()
    {
        var withDb = ParsedCommand.Parse(["--db", "given.db"], ["db"]);
        var withoutDb = ParsedCommand.Parse([], ["db"]);
        var before = Environment.GetEnvironmentVariable(StorePath.Variable);
        try
        {
            Environment.SetEnvironmentVariable(StorePath.Variable, null);
            Assert.Equal("./gptbench.db", StorePath.Of(withoutDb));
            Environment.SetEnvironmentVariable(StorePath.Variable, "/tmp/elsewhere.db");
            Assert.Equal("/tmp/elsewhere.db", StorePath.Of(withoutDb));
            Assert.Equal("given.db", StorePath.Of(withDb));
        }
        finally
        {
            Environment.SetEnvironmentVariable(StorePath.Variable, before);
        }
    }

    [Fact]
    public void A_missing_store_is_bad_input()
    {
        var missing = Path.Combine(store.Folder, "absent.db");
        foreach (var verb in new Func<string[], TextWriter, TextWriter, int>[] { AnalysisVerbs.Results, AnalysisVerbs.Report, AnalysisVerbs.Compare })
        {
            string[] args = verb == AnalysisVerbs.Results ? ["sweeps"] : verb == AnalysisVerbs.Report ? ["--sweep", "x", "--out", "y"] : ["a", "b"];
            var (code, _, stderr) = Run(verb, [.. args, "--db", missing]);
            Assert.Equal(2, code);
            Assert.Contains($"no result store at '{missing}'", stderr);
        }
        Assert.False(File.Exists(missing));
    }

    [Theory]
    [InlineData("trials", "--bogus", "1")]
    [InlineData("trials", "--engine")]
    [InlineData("everything")]
    [InlineData("export")]
    [InlineData("export", "--format", "table")]
    [InlineData("trials", "--format", "xml")]
    [InlineData("trials", "--since", "yesterday")]
    [InlineData("trials", "--axis", "input_tokens")]
    [InlineData("trials", "--sweep", "nope")]
    [InlineData("trials", "extra")]
    public void Bad_flags_and_values_exit_2_with_a_message(params string[] args)
    {
        var (code, stdout, stderr) = Results(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", stderr);
    }

    [Fact]
    public void Compare_rejects_a_wrong_number_of_sweeps_and_unknown_metrics()
    {
        Assert.Equal(2, Run(AnalysisVerbs.Compare, "cli-sweep", "--db", store.DbPath).Code);
        Assert.Equal(2, Run(AnalysisVerbs.Compare, "cli-sweep", "cli-sweep", "--metric", "speed", "--db", store.DbPath).Code);
    }

    [Fact]
    public void Every_verb_explains_itself_with_help()
    {
        Assert.Contains("usage: gptbench results", Run(AnalysisVerbs.Results, "--help").Stdout);
        Assert.Contains("usage: gptbench report", Run(AnalysisVerbs.Report, "-h").Stdout);
        var (code, stdout, _) = Run(AnalysisVerbs.Compare, "--help");
        Assert.Equal(0, code);
        Assert.Contains("Exit code 3", stdout);
    }
}
