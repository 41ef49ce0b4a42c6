namespace GptBench.Orchestrator.Experiments;

/// <summary>
/// Bad experiment input, located in its file: <c>file:line:col: error: what was expected</c>.
/// Line and column are 1-based; both are 0 when the error concerns the whole file (e.g. it is missing).
/// </summary>
public sealed class ExperimentException(string file, int line, int column, string reason)
    : Exception(line > 0 ? $"{file}:{line}:{column}: error: {reason}" : $"{file}: error: {reason}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public int Column { get; } = column;

    /// <summary>The message without its location.</summary>
    public string Reason { get; } = reason;
}
