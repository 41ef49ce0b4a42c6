namespace GptBench.Analysis.Tables;

/// <summary>A column: its name and how plain text shows its numbers (CSV and JSON keep full precision).</summary>
public sealed record Column(string Name, string TextFormat = "");

/// <summary>
/// Rows of typed cells (string, int, long, double, bool, DateTime or null) under named columns,
/// written as aligned text, CSV, JSON or HTML by the writers beside it.
/// </summary>
public sealed class Table(IReadOnlyList<Column> columns)
{
    readonly List<object?[]> rows = [];

    public IReadOnlyList<Column> Columns { get; } = columns;
    public IReadOnlyList<object?[]> Rows => rows;

    public void Add(params object?[] cells)
    {
        if (cells.Length != Columns.Count)
            throw new ArgumentException($"row has {cells.Length} cells, table has {Columns.Count} columns");
        rows.Add(cells);
    }
}
