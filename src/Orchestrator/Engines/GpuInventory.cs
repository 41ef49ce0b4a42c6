namespace GptBench.Orchestrator.Engines;

/// <summary>Counts the NVIDIA GPUs the driver exposes (honouring CUDA_VISIBLE_DEVICES of this process).</summary>
public static class GpuInventory
{
    /// <summary>The visible GPUs when a CUDA libtorch is found to run engines on them, else none.</summary>
    public static IReadOnlyList<int> UsableGpus()
    {
        var visible = VisibleGpus();
        return visible.Count > 0 && TorchLocator.CudaTorchLib() is not null ? visible : [];
    }

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
