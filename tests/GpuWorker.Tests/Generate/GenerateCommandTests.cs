using GptBench.GpuWorker.Generate;
using GptBench.GpuWorker.Tokenization;

namespace GptBench.GpuWorker.Tests.Generate;

public class GenerateCommandTests
{
    static readonly string TinyDir = Path.Combine(AppContext.BaseDirectory, "Golden", "tiny");

    static (int Code, string Output, string Log) Run(params string[] args)
    {
        var output = new StringWriter();
        var log = new StringWriter();
        var code = GenerateCommand.Run(args, output, log);
        return (code, output.ToString(), log.ToString());
    }

    [Fact]
    public void Streams_the_prompt_then_the_continuation_of_a_preset()
    {
        var (code, output, log) = Run("--model", "tiny", "--prompt", "The quick brown fox", "--tokens", "12", "--greedy", "--engine", "eager");

        Assert.True(code == 0, log);
        Assert.StartsWith("The quick brown fox", output);
        Assert.True(output.Length > "The quick brown fox".Length + 1, output);
        Assert.Contains("4 prompt tokens, 12 new (eager, fp32, cpu)", log); // the --dtype names, not the tensors' type
        Assert.Contains("seeded random weights", log);
    }

    [Fact]
    public void Greedy_generation_from_a_checkpoint_is_repeatable()
    {
        // The tiny checkpoint has 512 tokens: ids below 512 are single characters such as digits and punctuation.
        var prompt = "x=1;y=2;";
        Assert.All(Gpt2Tokenizer.Encode(prompt), id => Assert.InRange(id, 0, 511));

        var first = Run("--model", TinyDir, "--prompt", prompt, "--tokens", "20", "--greedy");
        var second = Run("--model", TinyDir, "--prompt", prompt, "--tokens", "20", "--greedy", "--engine", "eager");

        Assert.True(first.Code == 0, first.Log);
        Assert.Equal(first.Output, second.Output);
        Assert.StartsWith(prompt, first.Output);
    }

    [Theory]
    [InlineData("fused", "bf16")] // it runs bf16 or int8 weights only
    [InlineData("static", "fp32")]
    [InlineData("eager", "fp32")]
    [InlineData("cuda-graph", "fp32")]
    public void Without_dtype_the_fused_engine_runs_bf16_and_the_others_fp32(string engine, string dtype) =>
        Assert.Equal(dtype, GenerateCommand.DefaultDtype(engine));

    [Theory]
    [InlineData("unknown option --colour", "--model", "tiny", "--prompt", "x", "--tokens", "2", "--colour", "red")]
    [InlineData("--tokens must be a positive", "--model", "tiny", "--prompt", "x")]
    [InlineData("--tokens must be a whole number, got 'many'", "--model", "tiny", "--prompt", "x", "--tokens", "many")]
    [InlineData("neither a checkpoint folder nor a preset", "--model", "/no/such/model", "--prompt", "x", "--tokens", "2")]
    [InlineData("exceed the context of 128", "--model", "Golden/tiny", "--prompt", "1", "--tokens", "200")]
    [InlineData("outside the vocabulary of 512", "--model", "Golden/tiny", "--prompt", "Hello", "--tokens", "2")]
    [InlineData("unknown dtype 'fp8'", "--model", "tiny", "--prompt", "x", "--tokens", "2", "--dtype", "fp8")]
    public void Bad_input_exits_2_and_says_why(string expected, params string[] args)
    {
        var resolved = args.Select(a => a == "Golden/tiny" ? TinyDir : a).ToArray();
        var (code, _, log) = Run(resolved);
        Assert.Equal(2, code);
        Assert.Contains(expected, log);
    }
}
