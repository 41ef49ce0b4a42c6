using System.Diagnostics;

namespace GptBench.Orchestrator.Engines;

/// <summary>
/// Verbs the engine program implements itself (`generate`, `check-golden`): run it with this
/// terminal's input and output, so streamed text appears as it is produced.
/// </summary>
public static class EngineCommand
{
    public static int Forward(string verb, string[] args)
    {
        var start = EngineLauncher.EngineProgram();
        start.UseShellExecute = false;
        start.ArgumentList.Add(verb);
        foreach (var a in args) start.ArgumentList.Add(a);
        if (TorchLocator.CudaTorchLib() is { } lib)
            start.Environment["LD_LIBRARY_PATH"] = LibraryPath.Prepend(lib);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the engine program");
        process.WaitForExit();
        return process.ExitCode;
    }
}
