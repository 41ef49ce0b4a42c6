using System.Buffers.Binary;
using System.Xml.Linq;
using GptBench.Analysis.Plots;
using GptBench.Analysis.Queries;
using GptBench.Analysis.Statistics;
using GptBench.Analysis.Store;
using ScottPlot.Plottables;

namespace GptBench.Analysis.Tests;

public class PlotTests
{
    [Fact]
    public void A_missing_drawing_library_is_named_with_where_to_draw_instead()
    {
        // As SkiaSharp fails without libSkiaSharp.so: ScottPlot's first static use throws, the loader's error inside.
        var failure = new TypeInitializationException("ScottPlot.Fonts", new DllNotFoundException("Unable to load shared library 'libSkiaSharp'"));
        var message = Figure.MissingDrawingLibrary(failure);
        Assert.NotNull(message);
        Assert.Contains("SkiaSharp's native library", message);
        Assert.Contains("libSkiaSharp", message);
        Assert.Contains("scripts/gpu-bundle", message);
        Assert.Null(Figure.MissingDrawingLibrary(new InvalidOperationException("no samples")));
    }

    [Fact]
    public void The_seed_sweep_draws_its_three_figures_as_png_and_svg_of_the_expected_size()
    {
        using var store = new TestStore();
        SeedSweeps.Add(store, "seed", seed: 7);
        using var results = new ResultStore(store.DbPath, readOnly: true);
        var query = new ResultQuery(results);
        var stats = query.Trials(ResultFilter.All).Select(query.Statistics).OfType<TrialStatistics>().ToList();

        var files = SweepFigures.Draw(stats, query.SamplesOf).Select(f => f.Save(Path.Combine(store.Folder, "plots"))).ToList();

        Assert.Equal(["ttft", "throughput", "inter-token"], files.Select(f => f.Name));
        foreach (var file in files)
        {
            Assert.Equal((Figure.Width, Figure.Height), PngSize(File.ReadAllBytes(file.PngPath)));
            Assert.Equal((Figure.Width, Figure.Height), SvgSize(file.SvgPath));
        }
    }

    [Fact]
    public void Trials_go_on_the_figure_whose_token_count_varies_with_one_line_per_configuration()
    {
        var stats = new[]
        {
            Stats("eager", 16, 32), Stats("eager", 48, 32), Stats("eager", 32, 16), Stats("eager", 32, 48),
            Stats("graph", 16, 32), Stats("graph", 48, 32), Stats("graph", 32, 32),
        };

        var ttft = SeriesRule.Lines(stats, VaryingTokens.Input);
        var throughput = SeriesRule.Lines(stats, VaryingTokens.Output);

        Assert.Equal(["gpt2|eager|fp16", "gpt2|graph|fp16"], ttft.Select(s => s.Label));
        Assert.Equal([16.0, 48.0], ttft[0].X);
        Assert.Equal([16.0, 32.0, 48.0], ttft[1].X);
        Assert.Equal(["gpt2|eager|fp16"], throughput.Select(s => s.Label));
        Assert.Equal([16.0, 48.0], throughput[0].X);
    }

    [Fact]
    public void Lines_that_differ_only_by_the_fixed_token_count_name_it()
    {
        var stats = new[] { Stats("eager", 16, 32), Stats("eager", 48, 32), Stats("eager", 16, 64), Stats("eager", 48, 64) };

        Assert.Equal(["gpt2|eager|fp16 out=32", "gpt2|eager|fp16 out=64"], SeriesRule.Lines(stats, VaryingTokens.Input).Select(s => s.Label));
    }

    [Fact]
    public void The_throughput_figure_draws_the_gpu_ceiling_as_bandwidth_over_bytes_per_token()
    {
        // 1000 tok/s at 120 MB per token; an H100's 3 TB/s allows 25,000 tok/s: a span over 20x, so log scale.
        var stats = new[] { Stats("graph", 32, 16, "H100"), Stats("graph", 32, 48, "H100") };

        var figure = TokenFigures.Throughput(stats)!;

        var limit = Assert.Single(figure.Plot.GetPlottables().OfType<HorizontalLine>());
        Assert.Equal(Math.Log10(25_000), limit.Y, 9);
        Assert.Contains("H100 limit: 3.0 TB/s / 120 MB per token = 25,000 tok/s", limit.LegendText);
        Assert.EndsWith("log scale", figure.Plot.Axes.Title.Label.Text);
    }

    [Fact]
    public void Without_a_known_gpu_the_throughput_figure_has_no_ceiling_and_a_linear_axis()
    {
        var stats = new[] { Stats("graph", 32, 16, null), Stats("graph", 32, 48, null) };

        var figure = TokenFigures.Throughput(stats)!;

        Assert.Empty(figure.Plot.GetPlottables().OfType<HorizontalLine>());
        Assert.DoesNotContain("log", figure.Plot.Axes.Title.Label.Text);
    }

    static TrialStatistics Stats(string engine, int input, int output, string? gpu = "H100") =>
        TrialStatistics.Compute(
            TestStore.Trial("gpt2", engine, input, output),
            [TestStore.Sample(10, [1, 1], weightBytes: 100_000_000, cacheBytes: 20_000_000)],
            gpu)!;

    /// <summary>Checks the PNG signature and reads width and height from the IHDR chunk.</summary>
    internal static (int, int) PngSize(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    internal static (int, int) SvgSize(string path)
    {
        var root = XDocument.Load(path).Root!;
        Assert.Equal("svg", root.Name.LocalName);
        return ((int)root.Attribute("width")!, (int)root.Attribute("height")!);
    }
}
