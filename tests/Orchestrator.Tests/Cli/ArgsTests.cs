using GptBench.Analysis.Cli;
using GptBench.Orchestrator.Cli;

namespace GptBench.Orchestrator.Tests.Cli;

public class ArgsTests
{
    [Fact]
    public void Reads_positionals_options_and_flags()
    {
        var args = new Args(["file.yaml", "--db", "x.db", "--fresh", "--cpu-slots=3"], ["db", "cpu-slots"], ["fresh"]);
        Assert.Equal(["file.yaml"], args.Positionals);
        Assert.Equal("x.db", args.Option("db"));
        Assert.True(args.Flag("fresh"));
        Assert.Equal(3, args.IntOption("cpu-slots", 1, min: 1));
    }

    [Fact]
    public void Unknown_option_is_a_usage_error_naming_the_known_ones()
    {
        var e = Assert.Throws<UsageException>(() => new Args(["--dbb", "x"], ["db"], ["fresh"]));
        Assert.Contains("--dbb", e.Message);
        Assert.Contains("--db", e.Message);
    }

    [Fact]
    public void Option_without_value_and_bad_numbers_are_usage_errors()
    {
        Assert.Throws<UsageException>(() => new Args(["--db"], ["db"], []));
        var args = new Args(["--cpu-slots", "0"], ["cpu-slots"], []);
        Assert.Throws<UsageException>(() => args.IntOption("cpu-slots", 1, min: 1));
    }

    [Fact]
    public void Db_defaults_to_environment_then_working_folder()
    {
        var args = new Args([], ["db"], []);
        var saved = Environment.GetEnvironmentVariable("GPTBENCH_DB");
        try
        {
            Environment.SetEnvironmentVariable("GPTBENCH_DB", null);
            Assert.Equal("gptbench.db", args.DbPath());
            Environment.SetEnvironmentVariable("GPTBENCH_DB", "/tmp/elsewhere.db");
            Assert.Equal("/tmp/elsewhere.db", args.DbPath());
        }
        finally
        {
            Environment.SetEnvironmentVariable("GPTBENCH_DB", saved);
        }
    }
}
