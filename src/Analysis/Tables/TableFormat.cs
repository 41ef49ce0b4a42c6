namespace GptBench.Analysis.Tables;

public enum TableFormat { Table, Csv, Json }

public static class TableFormats
{
    public static bool TryParse(string text, out TableFormat format) =>
        Enum.TryParse(text, ignoreCase: true, out format) && Enum.IsDefined(format);
}
