using GptBench.GpuWorker.Kernels.Checks;

namespace GptBench.GpuWorker.Tests.Kernels.Checks;

/// <summary>
/// The first-token check's tally: one token across every phase agrees; a rare other draw (a near tie) still agrees and is
/// named with its phase; a phase that draws its own token, or many other draws, fails.
/// </summary>
public class FirstTokenCheckTests
{
    [Fact]
    public void One_token_in_every_phase_is_the_same()
    {
        var tokens = new FirstTokens();
        tokens.Add("warm-up", 5011);
        tokens.Add("events", 5011);
        tokens.Add("events", 5011);
        Assert.True(tokens.Same);
        Assert.True(tokens.Agree);
        Assert.Equal("warm-up 5011 x1; events 5011 x2", tokens.ToString());
    }

    [Fact]
    public void One_other_draw_in_twenty_agrees_and_is_counted_under_its_phase()
    {
        var tokens = Drawn(("events", 5011, 19), ("gated", 5011, 20), ("gated", 17224, 1));
        Assert.False(tokens.Same);
        Assert.True(tokens.Agree);
        Assert.Equal("events 5011 x19; gated 5011 x20, 17224 x1", tokens.ToString());
    }

    [Theory]
    [InlineData(15, 3)] // 3 other draws in 38: more than a near tie explains
    [InlineData(0, 3)]  // a phase that always draws another token: its path is broken
    public void Many_other_draws_or_a_phase_of_its_own_fail(int same, int other)
    {
        var tokens = Drawn(("host TTFT", 5011, 20), ("events", 5011, same), ("events", 17224, other));
        Assert.False(tokens.Agree);
    }

    [Fact]
    public void No_draws_do_not_agree() => Assert.False(new FirstTokens().Agree);

    static FirstTokens Drawn(params (string Phase, int Token, int Times)[] draws)
    {
        var tokens = new FirstTokens();
        foreach (var (phase, token, times) in draws)
            for (var i = 0; i < times; i++) tokens.Add(phase, token);
        return tokens;
    }
}
