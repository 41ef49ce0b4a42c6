using GptBench.GpuWorker.Tokenization;

namespace GptBench.GpuWorker.Tests.Tokenization;

public class PromptSourceTests : IDisposable
{
    readonly string path = Path.GetTempFileName();

    public void Dispose() => File.Delete(path);

    [Fact]
    public void Takes_the_first_tokens_of_the_file()
    {
        File.WriteAllText(path, "The quick brown fox jumps over the lazy dog.");
        Assert.Equal([464, 2068, 7586], PromptSource.FromFile(path, 3));
        Assert.Equal(10, PromptSource.FromFile(path, 10).Length);
    }

    [Fact]
    public void Too_short_text_says_how_many_tokens_it_has_and_how_many_were_asked_for()
    {
        File.WriteAllText(path, "Hello world");
        var error = Assert.Throws<InvalidDataException>(() => PromptSource.FromFile(path, 5));
        Assert.Contains(path, error.Message);
        Assert.Contains("has 2 tokens, fewer than the 5 asked for", error.Message);
    }

    [Fact]
    public void Missing_file_and_non_positive_counts_are_refused()
    {
        Assert.Throws<FileNotFoundException>(() => PromptSource.FromFile(path + ".missing", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptSource.FromText("Hello", 0, "inline"));
    }
}
