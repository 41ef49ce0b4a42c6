using ScottPlot;

namespace GptBench.Analysis.Plots;

/// <summary>A drawn plot and the file name (without extension) it is saved under.</summary>
public sealed record Figure(string Name, string Title, Plot Plot)
{
    public const int Width = 960, Height = 600;

    /// <summary>Lines take the palette's colors in order, so one identity keeps its color across figures.</summary>
    internal static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

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
