using GptBench.GpuWorker.Kernels.Checks;

namespace GptBench.GpuWorker.Tests.Kernels.Checks;

/// <summary>The first-token check's tally: one token across every phase passes; a mismatch names the phase it came from.</summary>
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
        Assert.Equal("warm-up 5011 x1; events 5011 x2", tokens.ToString());
    }

    [Fact]
    public void A_different_token_in_one_phase_fails_and_is_counted_under_it()
    {
        var tokens = new FirstTokens();
        tokens.Add("warm-up", 5011);
        tokens.Add("gated", 17224);
        tokens.Add("gated", 5011);
        Assert.False(tokens.Same);
        Assert.Equal("warm-up 5011 x1; gated 5011 x1, 17224 x1", tokens.ToString());
    }
}
