using System.Diagnostics;
using System.Text;
using GptBench.GpuWorker.Protocol;

namespace GptBench.GpuWorker.Tests.Hf;

/// <summary>The HF adapter (src/GpuWorker/hf/hf_engine.py) as a real child process, spoken to in protocol lines.</summary>
sealed class HfEngineProcess : IAsyncDisposable
{
    static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(120);

    readonly Process process;
    readonly StringBuilder stderr = new();

    HfEngineProcess(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
    }

    public static string ScriptPath => Path.Combine(Repository.Root, "src", "GpuWorker", "hf", "hf_engine.py");

    /// <summary>Starts python3 with <paramref name="pythonOptions"/> (e.g. -S) before the script.</summary>
    public static HfEngineProcess Start(params string[] pythonOptions)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var option in pythonOptions) start.ArgumentList.Add(option);
        start.ArgumentList.Add(ScriptPath);
        return new HfEngineProcess(Process.Start(start) ?? throw new InvalidOperationException("python3 did not start"));
    }

    /// <summary>Whether python3 runs <paramref name="code"/> without error, and what it printed to stderr when not.</summary>
    public static (bool Ok, string Detail) TryPython(string code)
    {
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(code);
            using var probe = Process.Start(start)!;
            var error = probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            var lastLine = error.Trim().Split('\n').LastOrDefault() ?? "";
            return (probe.ExitCode == 0, lastLine);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, $"python3 cannot be started: {e.Message}");
        }
    }

    public async Task Send(Message message) => await SendLine(JsonLines.Encode(message));

    public async Task SendLine(string line)
    {
        await process.StandardInput.WriteLineAsync(line);
        await process.StandardInput.FlushAsync();
    }

    /// <summary>The next protocol line, which must decode (JsonLines) to a <typeparamref name="T"/>.</summary>
    public async Task<T> Receive<T>() where T : Message
    {
        using var timeout = new CancellationTokenSource(LineTimeout);
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new Xunit.Sdk.XunitException($"the adapter closed stdout; stderr:\n{Stderr}");
        var message = JsonLines.Decode(line);
        return message as T
            ?? throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got: {line}\nstderr:\n{Stderr}");
    }

    public async Task<int> ExitCode()
    {
        using var timeout = new CancellationTokenSource(LineTimeout);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public string Stderr
    {
        get { lock (stderr) return stderr.ToString(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
