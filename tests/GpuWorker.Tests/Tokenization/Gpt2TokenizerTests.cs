using GptBench.GpuWorker.Tokenization;

namespace GptBench.GpuWorker.Tests.Tokenization;

public class Gpt2TokenizerTests
{
    // Ids as GPT-2's own tokenizer (HF "gpt2", tiktoken "gpt2") gives them.
    [Theory]
    [InlineData("Hello world", new[] { 15496, 995 })]
    [InlineData("Hello, world!", new[] { 15496, 11, 995, 0 })]
    [InlineData("The quick brown fox jumps over the lazy dog.", new[] { 464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13 })]
    [InlineData("<|endoftext|>", new[] { Gpt2Tokenizer.EndOfText })]
    public void Encodes_as_gpt2_does(string text, int[] expected) => Assert.Equal(expected, Gpt2Tokenizer.Encode(text));

    [Theory]
    [InlineData("Hello world")]
    [InlineData("  two spaces, a tab\tand a newline\n")]
    [InlineData("naïve café, 日本語, emoji 🙂 and <|endoftext|> too")]
    public void Decode_inverts_encode(string text) => Assert.Equal(text, Gpt2Tokenizer.Decode(Gpt2Tokenizer.Encode(text)));

    [Fact]
    public void Ids_outside_the_vocabulary_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2Tokenizer.Decode([15496, Gpt2Tokenizer.VocabSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2Tokenizer.Decode([-1]));
    }
}
