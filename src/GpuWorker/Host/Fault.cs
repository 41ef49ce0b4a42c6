namespace GptBench.GpuWorker.Host;

/// <summary>
/// Test hook: GPTBENCH_FAULT makes the engine process misbehave on purpose when a trial arrives, so the
/// orchestrator's handling of broken engines can be tested against the real process.
/// crash-on-trial: abort the process; hang-on-trial: never answer; garbage-on-trial: write a line that
/// is not a protocol message (and skip the trial). A suffix ":N" limits the fault to trials of N input
/// tokens, so one trial of a sweep fails and the others run.
/// </summary>
public enum FaultKind { None, CrashOnTrial, HangOnTrial, GarbageOnTrial }

public sealed record Fault(FaultKind Kind, int? OnlyInputTokens = null)
{
    public const string Variable = "GPTBENCH_FAULT";
    public static readonly Fault None = new(FaultKind.None);

    public static Fault FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(text)) return None;
        var parts = text.Split(':', 2);
        var kind = parts[0] switch
        {
            "crash-on-trial" => FaultKind.CrashOnTrial,
            "hang-on-trial" => FaultKind.HangOnTrial,
            "garbage-on-trial" => FaultKind.GarbageOnTrial,
            _ => throw new ArgumentException($"{Variable}={text}: expected crash-on-trial, hang-on-trial or garbage-on-trial, optionally with :INPUT_TOKENS"),
        };
        if (parts.Length == 1) return new Fault(kind);
        return int.TryParse(parts[1], out var tokens) && tokens > 0
            ? new Fault(kind, tokens)
            : throw new ArgumentException($"{Variable}={text}: the part after ':' must be a positive number of input tokens");
    }

    /// <summary>Misbehaves if this trial is targeted; true when the trial must then be skipped.</summary>
    public bool Strike(int inputTokens, TextWriter output)
    {
        if (Kind == FaultKind.None || (OnlyInputTokens is { } only && only != inputTokens)) return false;
        switch (Kind)
        {
            case FaultKind.CrashOnTrial:
                Environment.FailFast($"{Variable}=crash-on-trial");
                break;
            case FaultKind.HangOnTrial:
                Thread.Sleep(Timeout.Infinite);
                break;
            case FaultKind.GarbageOnTrial:
                output.WriteLine("this is not a protocol line {");
                break;
        }
        return true;
    }
}
