using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Engines;

/// <summary>Turns the names a <c>load</c> message carries (engine, dtype, device) into objects.</summary>
public static class EngineFactory
{
    public static IEngine Create(string engine, Gpt2 model) => engine switch
    {
        EngineNames.Eager => new EagerEngine(model),
        EngineNames.Static => new StaticEngine(model, cudaGraph: false),
        EngineNames.CudaGraph => new StaticEngine(model, cudaGraph: true),
        _ => throw new ArgumentException($"unknown engine '{engine}' (known: {string.Join(", ", EngineNames.Ours)})"),
    };

    /// <summary>fp32, bf16, fp16. bf16 and fp16 work on the CPU too, slowly.</summary>
    public static ScalarType ParseDtype(string dtype) => dtype switch
    {
        "fp32" => ScalarType.Float32,
        "bf16" => ScalarType.BFloat16,
        "fp16" => ScalarType.Float16,
        _ => throw new ArgumentException($"unknown dtype '{dtype}' (known: {string.Join(", ", DtypeNames.All)})"),
    };

    /// <summary>"cpu", "cuda" or "cuda:N"; CUDA only when the libtorch found has it.</summary>
    public static Device ParseDevice(string device)
    {
        var library = TorchRuntime.Initialize();
        if (device == "cpu")
            return CPU;
        if (device == "cuda" || device.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!library.HasCuda)
                throw new ArgumentException($"device '{device}' needs a CUDA libtorch, but the one loaded ({library.Folder}, from {library.Source}) has none: set GPTBENCH_LIBTORCH or install a CUDA PyTorch for python3");
            return torch.device(device);
        }
        throw new ArgumentException($"unknown device '{device}' (expected cpu, cuda or cuda:N)");
    }
}
