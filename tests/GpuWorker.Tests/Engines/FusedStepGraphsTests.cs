using GptBench.GpuWorker.Engines;

namespace GptBench.GpuWorker.Tests.Engines;

/// <summary>How the fused engine splits a generation's decode steps into graphs of several steps and of one.</summary>
public class FusedStepGraphsTests
{
    const int K = FusedEngine.DefaultStepsPerGraph;

    static List<int> Plan(int newTokens, int stepsPerGraph = K)
    {
        var graphs = new List<int>();
        for (var launched = 1; launched < newTokens;) // the first token comes from the prefill
        {
            var steps = FusedEngine.StepsInNextGraph(launched, newTokens, stepsPerGraph);
            graphs.Add(steps);
            launched += steps;
        }
        return graphs;
    }

    [Theory]
    [InlineData(1, K)]
    [InlineData(2, K)]
    [InlineData(9, K)]
    [InlineData(10, K)]
    [InlineData(256, K)]
    [InlineData(1000, K)]
    [InlineData(256, 1)]
    [InlineData(256, 64)]
    public void Every_decode_step_runs_once_and_none_past_the_request(int newTokens, int stepsPerGraph)
    {
        var plan = Plan(newTokens, stepsPerGraph);
        Assert.Equal(newTokens - 1, plan.Sum());
        Assert.All(plan, steps => Assert.True(steps == 1 || steps == stepsPerGraph, $"a graph of {steps} steps"));
    }

    [Fact]
    public void Whole_graphs_come_first_and_single_steps_only_for_the_rest()
    {
        var plan = Plan(256);
        Assert.Equal(Enumerable.Repeat(K, 255 / K).Concat(Enumerable.Repeat(1, 255 % K)), plan);
    }

    [Theory]
    [InlineData(null, K)]
    [InlineData("", K)]
    [InlineData("1", 1)]
    [InlineData("64", 64)]
    public void The_environment_sets_the_steps_a_graph(string? value, int steps) =>
        Assert.Equal(steps, FusedEngine.StepsPerGraph(value));

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("-3")]
    [InlineData("eight")]
    public void A_bad_number_of_steps_is_refused_with_the_variable_and_the_range(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => FusedEngine.StepsPerGraph(value));
        Assert.Equal($"GPTBENCH_STEPS_PER_GRAPH must be a whole number from 1 to 64, got '{value}'", error.Message);
    }
}
