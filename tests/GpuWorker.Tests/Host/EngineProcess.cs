using System.Diagnostics;
using GptBench.GpuWorker.Protocol;

namespace GptBench.GpuWorker.Tests.Host;

/// <summary>The built GpuWorker executable, started as a real child process, spoken to over its protocol.</summary>
sealed class EngineProcess : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    readonly Process process;

    public EngineProcess(string? fault = null)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "GpuWorker"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("GPTBENCH_FAULT");
        if (fault is not null)
            start.Environment["GPTBENCH_FAULT"] = fault;
        process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Stderr) Stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
    }

    public System.Text.StringBuilder Stderr { get; } = new();

    public void Send(Message message)
    {
        process.StandardInput.WriteLine(JsonLines.Encode(message));
        process.StandardInput.Flush();
    }

    /// <summary>The next stdout line, or null if none comes within <paramref name="wait"/>.</summary>
    public string? ReadLine(TimeSpan? wait = null)
    {
        var line = process.StandardOutput.ReadLineAsync();
        return line.Wait(wait ?? Patience) ? line.Result : null;
    }

    public T Receive<T>() where T : Message
    {
        var line = ReadLine() ?? throw new TimeoutException($"no message from the engine process; stderr:\n{Stderr}");
        var message = JsonLines.Decode(line);
        return message as T ?? throw new InvalidOperationException($"expected {typeof(T).Name}, got {line}; stderr:\n{Stderr}");
    }

    public int? WaitForExit(TimeSpan wait) => process.WaitForExit(wait) ? process.ExitCode : null;

    public bool HasExited => process.HasExited;

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill();
        process.WaitForExit();
        process.Dispose();
    }
}
