namespace GptBench.Analysis.Queries;

/// <summary>
/// Which results to select; null fields select everything. Model, engine, dtype and device match whole
/// values ignoring case (LiteDB's collation);
/// GPU matches a case-insensitive part of the GPU's name; host matches the environment's (or sweep's) host.
/// Since is inclusive and Until exclusive, both UTC, applied to when the result was taken:
/// a sweep's start, a trial's finish, a sample's creation.
/// </summary>
public sealed record ResultFilter
{
    /// <summary>A sweep id or a unique prefix of one, or "latest".</summary>
    public string? Sweep { get; init; }
    public string? Model { get; init; }
    public string? Engine { get; init; }
    public string? Dtype { get; init; }
    public string? Device { get; init; }
    public string? Gpu { get; init; }
    public string? Host { get; init; }
    public DateTime? Since { get; init; }
    public DateTime? Until { get; init; }
    /// <summary>Each listed axis (name as written) must have this value, ignoring case, in the trial's Axes.</summary>
    public IReadOnlyDictionary<string, string> Axes { get; init; } = new Dictionary<string, string>();

    public static readonly ResultFilter All = new();

    public bool InRange(DateTime? whenUtc) =>
        (Since is null && Until is null) ||
        (whenUtc is { } t && (Since is null || t >= Since) && (Until is null || t < Until));
}
