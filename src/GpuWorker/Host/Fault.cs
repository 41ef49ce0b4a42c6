namespace GptBench.GpuWorker.Host;

/// <summary>
/// Test hook: GPTBENCH_FAULT makes the engine process misbehave on purpose when a trial arrives, so the
/// orchestrator's handling of broken engines can be tested against the real process.
/// crash-on-trial: abort the process; hang-on-trial: never answer; garbage-on-trial: write a line that
/// is not a protocol message (and skip the trial).
/// </summary>
public enum Fault { None, CrashOnTrial, HangOnTrial, GarbageOnTrial }

public static class Faults
{
    public const string Variable = "GPTBENCH_FAULT";

    public static Fault FromEnvironment() => Environment.GetEnvironmentVariable(Variable) switch
    {
        null or "" => Fault.None,
        "crash-on-trial" => Fault.CrashOnTrial,
        "hang-on-trial" => Fault.HangOnTrial,
        "garbage-on-trial" => Fault.GarbageOnTrial,
        var other => throw new ArgumentException($"{Variable}={other} is not one of crash-on-trial, hang-on-trial, garbage-on-trial"),
    };

    public static void Strike(this Fault fault, TextWriter output)
    {
        switch (fault)
        {
            case Fault.CrashOnTrial:
                Environment.FailFast($"{Variable}=crash-on-trial");
                break;
            case Fault.HangOnTrial:
                Thread.Sleep(Timeout.Infinite);
                break;
            case Fault.GarbageOnTrial:
                output.WriteLine("this is not a protocol line {");
                break;
        }
    }
}
