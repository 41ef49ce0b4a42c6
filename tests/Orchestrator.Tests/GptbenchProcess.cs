using System.Diagnostics;
using System.Text;

namespace GptBench.Orchestrator.Tests;

/// <summary>Runs the real `gptbench` executable (built beside the tests) as a child process.</summary>
public sealed class GptbenchProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();
    readonly object gate = new();

    public GptbenchProcess(string workDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "gptbench"))
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (gate)
        {
            output.AppendLine(line);
            Monitor.PulseAll(gate); // wakes WaitForLine at once: a test that kills on a line must not lag it
        }
    }

    public string Output { get { lock (gate) return output.ToString(); } }

    /// <summary>Waits for the process to exit and returns its exit code; fails the test on a hang.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gptbench did not exit within {timeout}; output:\n{Output}");
        }
        process.WaitForExit(); // drain the output events
        return process.ExitCode;
    }

    /// <summary>Waits until the output holds a line matching the predicate; woken by each line, not polled.</summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        lock (gate)
        {
            while (!process.HasExited)
            {
                if (HasLine(match)) return true;
                var left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero) return false;
                Monitor.Wait(gate, TimeSpan.FromMilliseconds(Math.Min(200, left.TotalMilliseconds))); // wakes to recheck the exit too
            }
        }
        process.WaitForExit(); // outside the lock: it drains the output events, which take it
        lock (gate) return HasLine(match);
    }

    bool HasLine(Func<string, bool> match) => output.ToString().Split('\n').Any(match);

    /// <summary>SIGKILL, as a crash would: no shutdown code runs.</summary>
    public void KillHard() => process.Kill(entireProcessTree: false);

    /// <summary>SIGINT, as Ctrl-C would.</summary>
    public void Interrupt() => SendSignal(process.Id, 2);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);

    public static (int Code, string Output) Run(string workDir, params string[] args) => Run(workDir, null, args);

    public static (int Code, string Output) Run(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        using var p = new GptbenchProcess(workDir, env, args);
        var code = p.WaitForExit(TimeSpan.FromMinutes(5));
        return (code, p.Output);
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
