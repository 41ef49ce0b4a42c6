using Microsoft.ML.Tokenizers;

namespace GptBench.GpuWorker.Tokenization;

/// <summary>GPT-2's byte-level BPE (tiktoken's r50k_base, the same 50,257 tokens as HF's gpt2 tokenizer).</summary>
public static class Gpt2Tokenizer
{
    public const int VocabSize = 50257;

    /// <summary>&lt;|endoftext|&gt;, which the text "&lt;|endoftext|&gt;" also encodes to.</summary>
    public const int EndOfText = 50256;

    static readonly Lazy<TiktokenTokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("r50k_base"));

    public static int[] Encode(string text) => [.. Tokenizer.Value.EncodeToIds(text)];

    public static string Decode(IEnumerable<int> ids)
    {
        var list = ids as IReadOnlyCollection<int> ?? ids.ToList();
        foreach (var id in list)
            if (id is < 0 or >= VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token ids lie in [0, {VocabSize})");
        return Tokenizer.Value.Decode(list);
    }
}
