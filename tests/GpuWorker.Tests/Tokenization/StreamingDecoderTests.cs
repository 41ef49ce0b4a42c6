using GptBench.GpuWorker.Tokenization;

namespace GptBench.GpuWorker.Tests.Tokenization;

public class StreamingDecoderTests
{
    [Fact]
    public void Streams_text_whose_characters_span_several_tokens()
    {
        const string text = "Tokyo is 東京 in 日本語 🙂, naïve café.";
        var ids = Gpt2Tokenizer.Encode(text);
        var decoder = new StreamingDecoder();

        var pieces = ids.Select(decoder.Push).ToList();

        Assert.Equal(text, string.Concat(pieces) + decoder.Flush());
        Assert.DoesNotContain(pieces, piece => piece.Contains('\uFFFD'));
        Assert.Contains("", pieces); // some CJK characters do span tokens: the case is exercised
    }

    [Fact]
    public void Each_piece_appears_as_soon_as_it_is_complete()
    {
        var decoder = new StreamingDecoder();
        Assert.Equal("Hello", decoder.Push(15496));
        Assert.Equal(" world", decoder.Push(995));
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void Incomplete_character_is_held_then_flushed_as_a_replacement()
    {
        var ids = Gpt2Tokenizer.Encode("語");
        Assert.True(ids.Length > 1, "the test needs a character split over tokens");
        var decoder = new StreamingDecoder();

        Assert.Equal("", decoder.Push(ids[0]));
        Assert.Equal("\uFFFD", decoder.Flush());
    }

    [Fact]
    public void Bytes_that_never_complete_are_released_after_four_tokens()
    {
        var partial = Gpt2Tokenizer.Encode("語")[0];
        var decoder = new StreamingDecoder();
        var pieces = Enumerable.Range(0, 4).Select(_ => decoder.Push(partial)).ToList();

        Assert.Equal(["", "", ""], pieces[..3]);
        Assert.NotEmpty(pieces[3]);
        Assert.Equal("", decoder.Flush());
    }
}
