namespace GptBench.GpuWorker.Tokenization;

/// <summary>
/// Turns generated tokens into text one token at a time. A character whose UTF-8 bytes are split over several
/// tokens is held back until its last byte arrives, so no replacement character is printed for it.
/// </summary>
public sealed class StreamingDecoder
{
    /// <summary>A UTF-8 character has at most 4 bytes, so it is complete within 4 tokens; past that the bytes are invalid.</summary>
    const int MaxHeldTokens = 4;

    const char Replacement = '\uFFFD';

    readonly List<int> _held = [];

    /// <summary>The text that <paramref name="id"/> completes; empty while a character is still incomplete.</summary>
    public string Push(int id)
    {
        _held.Add(id);
        var text = Gpt2Tokenizer.Decode(_held);
        if (text.EndsWith(Replacement) && _held.Count < MaxHeldTokens)
            return "";
        _held.Clear();
        return text;
    }

    /// <summary>Whatever is still held, invalid bytes shown as replacement characters.</summary>
    public string Flush()
    {
        var text = Gpt2Tokenizer.Decode(_held);
        _held.Clear();
        return text;
    }
}
