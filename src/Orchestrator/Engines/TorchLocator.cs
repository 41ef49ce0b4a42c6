using System.Diagnostics;

namespace GptBench.Orchestrator.Engines;

/// <summary>
/// Finds a CUDA libtorch the way a user's machine has it: GPTBENCH_LIBTORCH, else the PyTorch that
/// python3 imports. The engine process loads it; the orchestrator only needs to know it exists.
/// </summary>
public static class TorchLocator
{
    static readonly Lazy<string?> Found = new(Find);

    public static string? CudaTorchLib() => Found.Value;

    static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("GPTBENCH_LIBTORCH");
        if (!string.IsNullOrEmpty(configured))
            return HasCuda(configured) ? configured : null;
        var fromPython = PythonTorchLib();
        return fromPython is not null && HasCuda(fromPython) ? fromPython : null;
    }

    static bool HasCuda(string dir) => File.Exists(Path.Combine(dir, "libtorch_cuda.so"));

    static string? PythonTorchLib()
    {
        try
        {
            var start = new ProcessStartInfo("python3", ["-c", "import torch,os;print(os.path.join(os.path.dirname(torch.__file__),'lib'))"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(start)!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(30_000);
            return p.ExitCode == 0 && Directory.Exists(output) ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no python3
        }
    }
}

/// <summary>Counts the NVIDIA GPUs the driver exposes (honouring CUDA_VISIBLE_DEVICES of this process).</summary>
public static class GpuInventory
{
    public static IReadOnlyList<int> VisibleGpus()
    {
        const string driverDir = "/proc/driver/nvidia/gpus";
        var count = Directory.Exists(driverDir) ? Directory.GetDirectories(driverDir).Length : 0;
        var all = Enumerable.Range(0, count).ToList();
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        if (visible is null) return all;
        return visible.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var i) ? i : -1)
            .Where(all.Contains)
            .ToList();
    }
}
