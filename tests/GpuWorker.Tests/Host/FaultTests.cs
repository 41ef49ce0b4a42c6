using GptBench.GpuWorker.Host;

namespace GptBench.GpuWorker.Tests.Host;

public class FaultTests
{
    [Theory]
    [InlineData(null, FaultKind.None, null)]
    [InlineData("crash-on-trial", FaultKind.CrashOnTrial, null)]
    [InlineData("hang-on-trial:16", FaultKind.HangOnTrial, 16)]
    [InlineData("garbage-on-trial:8", FaultKind.GarbageOnTrial, 8)]
    public void Parses_the_kind_and_the_targeted_input_length(string? text, FaultKind kind, int? target)
    {
        var saved = Environment.GetEnvironmentVariable(Fault.Variable);
        try
        {
            Environment.SetEnvironmentVariable(Fault.Variable, text);
            Assert.Equal(new Fault(kind, target), Fault.FromEnvironment());
        }
        finally
        {
            Environment.SetEnvironmentVariable(Fault.Variable, saved);
        }
    }

    [Theory]
    [InlineData("explode")]
    [InlineData("crash-on-trial:zero")]
    [InlineData("crash-on-trial:-3")]
    public void Refuses_what_it_does_not_know(string text)
    {
        var saved = Environment.GetEnvironmentVariable(Fault.Variable);
        try
        {
            Environment.SetEnvironmentVariable(Fault.Variable, text);
            Assert.Throws<ArgumentException>(Fault.FromEnvironment);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Fault.Variable, saved);
        }
    }

    [Fact]
    public void A_targeted_fault_strikes_only_its_input_length()
    {
        var output = new StringWriter();
        var fault = new Fault(FaultKind.GarbageOnTrial, 16);
        Assert.False(fault.Strike(8, output));
        Assert.Equal("", output.ToString());
        Assert.True(fault.Strike(16, output));
        Assert.Contains("not a protocol line", output.ToString());
    }
}
