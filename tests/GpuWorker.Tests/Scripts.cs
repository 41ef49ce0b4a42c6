using System.Diagnostics;

namespace GptBench.GpuWorker.Tests;

/// <summary>Runs one of the repository's scripts (scripts/NAME) the way a user would, for the tests of those tools.</summary>
static class Scripts
{
    /// <summary>scripts/<paramref name="name"/> run by <paramref name="interpreter"/> with <paramref name="args"/>: its exit code, output and error.</summary>
    public static (int Exit, string Output, string Error) Run(string interpreter, string name, params string[] args)
    {
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "scripts", name));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
