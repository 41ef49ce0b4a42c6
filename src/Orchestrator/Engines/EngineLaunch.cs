using System.Diagnostics;
using GptBench.GpuWorker.Engines;
using GptBench.GpuWorker.Protocol;

namespace GptBench.Orchestrator.Engines;

/// <summary>How to start the engine process of one group: which program, with what environment, and what to load.</summary>
public sealed record EngineLaunch(ProcessStartInfo StartInfo, ModelSpec Model, string ModelName, string Engine, string Dtype, string Device)
{
    public string Describe() => $"{ModelName}/{Engine}/{Dtype}/{Device}";
}

/// <summary>
/// A place engine processes run: one GPU (pinned with CUDA_VISIBLE_DEVICES) or one CPU slot, which gets
/// its share of the cores so that several slots do not fight over the same ones.
/// </summary>
public sealed record WorkerSlot(string Name, int? Gpu, int? CpuThreads = null)
{
    public static WorkerSlot ForGpu(int index) => new($"gpu{index}", index);

    /// <summary>
    /// One slot per listed GPU; a GPU listed again gets another slot on it (gpu0, gpu0.1, ...), so
    /// several workers can share one GPU.
    /// </summary>
    public static IReadOnlyList<WorkerSlot> ForGpus(IEnumerable<int> gpus)
    {
        var seen = new Dictionary<int, int>();
        return gpus.Select(gpu =>
        {
            var repeat = seen[gpu] = seen.GetValueOrDefault(gpu, -1) + 1;
            return repeat == 0 ? ForGpu(gpu) : new WorkerSlot($"gpu{gpu}.{repeat}", gpu);
        }).ToList();
    }

    /// <summary>Slot <paramref name="index"/> of <paramref name="slots"/> CPU slots on this machine.</summary>
    public static WorkerSlot ForCpu(int index, int slots) => new($"cpu{index}", null, Math.Max(1, Environment.ProcessorCount / slots));

    public static IReadOnlyList<WorkerSlot> Cpus(int slots) => Enumerable.Range(0, slots).Select(i => ForCpu(i, slots)).ToList();
}

/// <summary>Builds the command line of an engine process: our GpuWorker executable, or the Python adapter for hf-* engines.</summary>
public static class EngineLauncher
{
    public static EngineLaunch For(WorkerSlot slot, ModelSpec model, string modelName, string engine, string dtype, string device)
    {
        var start = EngineNames.Frameworks.Contains(engine) ? PythonAdapter() : EngineProgram();
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        // Pin the process to its GPU; a CPU slot sees none, so nothing it does can touch a GPU by accident.
        start.Environment["CUDA_VISIBLE_DEVICES"] = slot.Gpu?.ToString() ?? "";
        if (slot.CpuThreads is { } threads && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")))
            start.Environment["OMP_NUM_THREADS"] = threads.ToString(); // libtorch's CPU thread pool
        if (device == "cuda" && TorchLocator.CudaTorchLib() is { } lib)
        {
            start.Environment["GPTBENCH_LIBTORCH"] = lib;
            start.Environment["LD_LIBRARY_PATH"] = LibraryPath.Prepend(lib);
        }
        return new EngineLaunch(start, model, modelName, engine, dtype, device);
    }

    /// <summary>Our engine program (src/GpuWorker), built beside this one.</summary>
    public static ProcessStartInfo EngineProgram()
    {
        var dir = AppContext.BaseDirectory;
        var apphost = Path.Combine(dir, "GpuWorker");
        // Under `dotnet gptbench.dll` (a bundle without apphosts) run the engine the same way.
        var host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet")
            return new ProcessStartInfo(host) { ArgumentList = { Path.Combine(dir, "GpuWorker.dll") } };
        return new ProcessStartInfo(apphost);
    }

    static ProcessStartInfo PythonAdapter() =>
        new("python3") { ArgumentList = { "-u", Path.Combine(AppContext.BaseDirectory, "hf", "hf_engine.py") } };
}

public static class LibraryPath
{
    /// <summary>LD_LIBRARY_PATH with <paramref name="folder"/> first, so libraries opened by name resolve to the libtorch in use.</summary>
    public static string Prepend(string folder) =>
        Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") is { Length: > 0 } existing ? $"{folder}:{existing}" : folder;
}
