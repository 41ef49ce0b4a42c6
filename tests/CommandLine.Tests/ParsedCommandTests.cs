namespace GptBench.CommandLine.Tests;

public class ParsedCommandTests
{
    static ParsedCommand Parse(params string[] args) =>
        ParsedCommand.Parse(args, ["db", "cpu-slots", "axis", "seed", "temperature"], ["fresh"]);

    static string UsageError(Action action) => Assert.Throws<UsageException>(action).Message;

    [Fact]
    public void Reads_positionals_options_and_flags()
    {
        var args = Parse("file.yaml", "--db", "x.db", "--fresh", "--cpu-slots=3", "-");
        Assert.Equal(["file.yaml", "-"], args.Positionals);
        Assert.Equal("x.db", args.Value("db"));
        Assert.True(args.Flag("fresh"));
        Assert.Equal(3, args.Int("cpu-slots", 1, min: 1));
        Assert.False(args.Help);
    }

    [Fact]
    public void Absent_options_and_flags_fall_back()
    {
        var args = Parse();
        Assert.Null(args.Value("db"));
        Assert.Empty(args.Values("axis"));
        Assert.False(args.Flag("fresh"));
        Assert.Equal("fallback", args.ValueOr("db", "fallback"));
        Assert.Equal(7, args.Int("cpu-slots", 7));
        Assert.Equal(-1L, args.Long("seed", -1));
        Assert.Equal(0.5, args.Double("temperature", 0.5));
    }

    [Fact]
    public void A_repeated_option_keeps_every_value_and_the_last_wins()
    {
        var args = Parse("--axis", "a=1", "--axis=b=2", "--db", "one.db", "--db", "two.db");
        Assert.Equal(["a=1", "b=2"], args.Values("axis"));
        Assert.Equal("b=2", args.Value("axis"));
        Assert.Equal("two.db", args.Value("db"));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_is_recognised_wherever_it_stands(string help)
    {
        var args = Parse("file.yaml", help, "--db", "x.db");
        Assert.True(args.Help);
        Assert.Equal(["file.yaml"], args.Positionals);
        Assert.True(ParsedCommand.IsHelp(help));
    }

    [Theory]
    [InlineData("--dbb", "x")]
    [InlineData("--dbb=x")]
    [InlineData("-d", "x")]
    public void An_unknown_option_is_named_with_the_known_ones(params string[] args)
    {
        var message = UsageError(() => Parse(args));
        Assert.StartsWith($"unknown option {args[0].Split('=')[0]} ", message);
        Assert.Contains("--db, --fresh", message);
    }

    [Fact]
    public void An_option_without_its_value_is_named()
    {
        Assert.Equal("--db needs a value", UsageError(() => Parse("file.yaml", "--db")));
    }

    [Fact]
    public void A_flag_given_a_value_is_an_error()
    {
        Assert.Equal("--fresh takes no value", UsageError(() => Parse("--fresh=yes")));
    }

    [Fact]
    public void Required_names_the_missing_option()
    {
        Assert.Equal("x.db", Parse("--db", "x.db").Required("db"));
        Assert.Equal("--db is required", UsageError(() => Parse().Required("db")));
    }

    [Fact]
    public void Numbers_are_read_in_the_invariant_culture()
    {
        var args = Parse("--cpu-slots", "-4", "--seed", "12345678901", "--temperature", "0.75");
        Assert.Equal(-4, args.Int("cpu-slots", 0));
        Assert.Equal(12345678901L, args.Long("seed", 0));
        Assert.Equal(0.75, args.Double("temperature", 1));
    }

    [Theory]
    [InlineData("cpu-slots", "0", "--cpu-slots must be a whole number >= 1, got '0'")]
    [InlineData("cpu-slots", "two", "--cpu-slots must be a whole number >= 1, got 'two'")]
    [InlineData("cpu-slots", "12345678901", "--cpu-slots must be a whole number >= 1, got '12345678901'")]
    [InlineData("seed", "1.5", "--seed must be a whole number, got '1.5'")]
    [InlineData("temperature", "0,75", "--temperature must be a number, got '0,75'")]
    public void A_bad_number_is_named_with_what_was_given(string name, string text, string expected)
    {
        var args = Parse($"--{name}", text);
        var message = UsageError(() =>
        {
            _ = name switch
            {
                "cpu-slots" => args.Int(name, 1, min: 1),
                "seed" => args.Long(name, 0),
                _ => args.Double(name, 1),
            };
        });
        Assert.Equal(expected, message);
    }

    [Fact]
    public void A_whole_number_without_a_minimum_says_no_bound()
    {
        Assert.Equal("--cpu-slots must be a whole number, got 'x'", UsageError(() => Parse("--cpu-slots", "x").Int("cpu-slots", 0)));
    }
}
