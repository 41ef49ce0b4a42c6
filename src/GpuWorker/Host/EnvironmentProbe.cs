using System.Runtime.InteropServices;
using GptBench.GpuWorker.Native;
using GptBench.GpuWorker.Protocol;
using TorchSharp;

namespace GptBench.GpuWorker.Host;

/// <summary>What the hello message reports about where the engine runs.</summary>
public static class EnvironmentProbe
{
    public static EnvironmentInfo Describe()
    {
        var library = TorchRuntime.Initialize();
        string device = "cpu";
        string? gpu = null, driver = null, runtime = null, uuid = null;
        int? index = null, count = null;
        if (library.HasCuda && torch.cuda.is_available())
        {
            // Engines run on "cuda", libtorch's device 0: the one CUDA_VISIBLE_DEVICES leaves first.
            device = "cuda";
            index = 0;
            (gpu, driver, runtime) = CudaApi.Describe(index.Value);
            (uuid, count) = CudaApi.Identify(index.Value);
        }
        return new EnvironmentInfo(
            Host: Environment.MachineName,
            Cpu: CpuModel(),
            Device: device,
            GpuName: gpu,
            Driver: driver,
            CudaRuntime: runtime,
            Libtorch: library.Version,
            TorchSharp: TorchRuntime.TorchSharpVersion,
            DotNet: RuntimeInformation.FrameworkDescription,
            VisibleDevices: Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES"),
            GpuUuid: uuid,
            GpuIndex: index,
            GpuCount: count);
    }

    static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        var line = File.Exists(cpuInfo) ? File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
    }
}
