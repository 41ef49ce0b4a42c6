using System.Globalization;
using GptBench.Analysis.Queries;

namespace GptBench.Analysis.Tables;

/// <summary>How a cell reads as text: invariant culture, NaN and null as empty, dates in ISO 8601.</summary>
static class Cells
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Full precision, for files that are read back.</summary>
    public static string Exact(object? cell) => cell switch
    {
        null => "",
        double d when !double.IsFinite(d) => "",
        double d => d.ToString("R", Invariant),
        bool b => b ? "true" : "false",
        DateTime t => UtcDates.Utc(t).ToString("O", Invariant),
        IFormattable f => f.ToString(null, Invariant),
        _ => cell.ToString() ?? "",
    };

    /// <summary>Rounded by the column's format, for people.</summary>
    public static string Shown(object? cell, Column column) => cell switch
    {
        double d when !double.IsFinite(d) => "-",
        double d when column.TextFormat != "" => d.ToString(column.TextFormat, Invariant),
        DateTime t => UtcDates.Utc(t).ToString("yyyy-MM-dd HH:mm:ss", Invariant),
        _ => Exact(cell),
    };

    public static bool IsNumber(object? cell) => cell is int or long or double;
}
