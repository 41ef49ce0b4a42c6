using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Engines;

/// <summary>Turns the names a <c>load</c> message carries (engine, dtype, device) into objects.</summary>
public static class EngineFactory
{
    /// <summary>The engine for a model; <paramref name="dtype"/> "int8" (int8 weights) is the fused engine's alone.</summary>
    public static IEngine Create(string engine, Gpt2 model, string dtype = "")
    {
        var int8 = dtype == DtypeNames.Int8;
        if (int8 && engine != EngineNames.Fused)
            throw new ArgumentException($"int8 weights run only on the {EngineNames.Fused} engine, not {engine}");
        return engine switch
        {
            EngineNames.Eager => new EagerEngine(model),
            EngineNames.Static => new StaticEngine(model, cudaGraph: false),
            EngineNames.CudaGraph => new StaticEngine(model, cudaGraph: true),
            EngineNames.Fused => new FusedEngine(model, int8),
            _ => throw new ArgumentException($"unknown engine '{engine}' (known: {string.Join(", ", EngineNames.Ours)})"),
        };
    }

    /// <summary>Whether the engine runs on this device with these weights (check-golden runs every engine that does).</summary>
    public static bool Supports(string engine, DeviceType device, string dtype) => engine switch
    {
        EngineNames.Fused => device == DeviceType.CUDA && dtype is "bf16" or DtypeNames.Int8,
        _ => dtype != DtypeNames.Int8 && (device == DeviceType.CUDA || !EngineNames.NeedsCuda(engine)),
    };

    /// <summary>fp32, bf16, fp16; int8 (the fused engine's weights) keeps a bf16 model for the prefill. bf16 and fp16 work on the CPU too, slowly.</summary>
    public static ScalarType ParseDtype(string dtype) => dtype switch
    {
        "fp32" => ScalarType.Float32,
        "bf16" or DtypeNames.Int8 => ScalarType.BFloat16,
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
