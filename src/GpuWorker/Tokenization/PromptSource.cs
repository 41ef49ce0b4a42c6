namespace GptBench.GpuWorker.Tokenization;

/// <summary>Prompts of an exact token count, cut from the start of a text.</summary>
public static class PromptSource
{
    public static int[] FromFile(string path, int tokens)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"prompt file {path} does not exist", path);
        return FromText(File.ReadAllText(path), tokens, path);
    }

    /// <param name="origin">Where the text came from, for the error message.</param>
    public static int[] FromText(string text, int tokens, string origin)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        var ids = Gpt2Tokenizer.Encode(text);
        if (ids.Length < tokens)
            throw new InvalidDataException($"{origin}: has {ids.Length} tokens, fewer than the {tokens} asked for");
        return ids[..tokens];
    }
}
