namespace GptBench.Analysis.Queries;

/// <summary>LiteDB hands dates back in local time; everything here compares and shows them in UTC.</summary>
public static class UtcDates
{
    public static DateTime Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => value,
    };

    public static DateTime? Utc(DateTime? value) => value is { } v ? Utc(v) : null;
}
