using ScottPlot;

namespace GptBench.Analysis.Plots;

/// <summary>A drawn plot and the file name (without extension) it is saved under.</summary>
public sealed record Figure(string Name, string Title, Plot Plot)
{
    public const int Width = 960, Height = 600;

    /// <summary>Lines take the palette's colors in order, so one identity keeps its color across figures.</summary>
    internal static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>
    /// What to tell the user when drawing failed for want of SkiaSharp's native library (the GPU machine's bundle,
    /// scripts/gpu-bundle, leaves it out), or null when <paramref name="e"/> is something else.
    /// </summary>
    public static string? MissingDrawingLibrary(Exception e) =>
        e.GetBaseException() is DllNotFoundException missing
            ? $"drawing figures needs SkiaSharp's native library, which this installation lacks ({missing.Message.Split('.')[0]}); " +
              "the GPU machine's bundle (scripts/gpu-bundle) leaves it out: make figures and reports where gptbench was built, from the store"
            : null;

    /// <summary>Writes NAME.png and NAME.svg into the folder and returns their paths.</summary>
    public FigureFiles Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var png = Path.Combine(directory, Name + ".png");
        var svg = Path.Combine(directory, Name + ".svg");
        Plot.SavePng(png, Width, Height);
        Plot.SaveSvg(svg, Width, Height);
        return new FigureFiles(Name, Title, png, svg);
    }
}

public sealed record FigureFiles(string Name, string Title, string PngPath, string SvgPath);
