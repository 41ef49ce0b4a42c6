using GptBench.GpuWorker.Host;

namespace GptBench.GpuWorker.Tests.Host;

public class WholeNumberSettingTests
{
    [Theory]
    [InlineData(null, 8)]
    [InlineData("", 8)]
    [InlineData("1", 1)]
    [InlineData("64", 64)]
    public void An_unset_setting_is_the_default_and_a_number_in_range_is_itself(string? value, int expected) =>
        Assert.Equal(expected, WholeNumberSetting.Parse("GPTBENCH_X", value, 8, 1, 64, "a whole number from 1 to 64"));

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("eight")]
    [InlineData("2.5")]
    public void A_number_out_of_range_or_not_whole_is_refused_with_the_variable_what_it_must_be_and_the_value(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => WholeNumberSetting.Parse("GPTBENCH_X", value, 8, 1, 64, "a whole number from 1 to 64"));
        Assert.Equal($"GPTBENCH_X must be a whole number from 1 to 64, got '{value}'", e.Message);
    }
}
