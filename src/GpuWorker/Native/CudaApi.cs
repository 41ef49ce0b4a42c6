using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace GptBench.GpuWorker.Native;

/// <summary>
/// The few CUDA runtime, driver and c10 calls TorchSharp does not expose (streams, graphs, events,
/// memory and version queries). "cudart", "c10_cuda" and "cuda" resolve next to the libtorch in use
/// (<see cref="TorchRuntime"/>). Use <see cref="Check"/> on every status code.
/// </summary>
internal static partial class CudaApi
{
    const string Runtime = "cudart", Driver = "cuda", C10 = "c10_cuda";

    public const uint StreamNonBlocking = 1;
    public const int CaptureModeRelaxed = 2;
    public const uint EventDefault = 0;
    // In stream capture a plain cudaEventRecord only orders the graph's nodes; this makes it an event record node.
    public const uint EventRecordExternal = 1;
    public const uint HostAllocMapped = 2;

    [LibraryImport(Runtime)] public static partial int cudaStreamCreateWithFlags(out IntPtr stream, uint flags);
    [LibraryImport(Runtime)] public static partial int cudaStreamDestroy(IntPtr stream);
    [LibraryImport(Runtime)] public static partial int cudaStreamSynchronize(IntPtr stream);
    [LibraryImport(Runtime)] public static partial int cudaStreamBeginCapture(IntPtr stream, int mode);
    [LibraryImport(Runtime)] public static partial int cudaStreamEndCapture(IntPtr stream, out IntPtr graph);
    [LibraryImport(Runtime)] public static partial int cudaGraphInstantiate(out IntPtr exec, IntPtr graph, ulong flags);
    [LibraryImport(Runtime)] public static partial int cudaGraphLaunch(IntPtr exec, IntPtr stream);
    [LibraryImport(Runtime)] public static partial int cudaGraphGetNodes(IntPtr graph, IntPtr nodes, ref nuint count);
    [LibraryImport(Runtime)] public static partial int cudaGraphDestroy(IntPtr graph);
    [LibraryImport(Runtime)] public static partial int cudaGraphExecDestroy(IntPtr exec);
    [LibraryImport(Runtime)] public static partial int cudaEventCreateWithFlags(out IntPtr evt, uint flags);
    [LibraryImport(Runtime)] public static partial int cudaEventRecord(IntPtr evt, IntPtr stream);
    [LibraryImport(Runtime)] public static partial int cudaEventRecordWithFlags(IntPtr evt, IntPtr stream, uint flags);
    [LibraryImport(Runtime)] public static partial int cudaEventSynchronize(IntPtr evt);
    [LibraryImport(Runtime)] public static partial int cudaEventElapsedTime(out float ms, IntPtr start, IntPtr end);
    [LibraryImport(Runtime)] public static partial int cudaEventDestroy(IntPtr evt);
    [LibraryImport(Runtime)] public static partial int cudaMemGetInfo(out nuint free, out nuint total);
    [LibraryImport(Runtime)] public static partial int cudaHostAlloc(out IntPtr host, nuint bytes, uint flags);
    [LibraryImport(Runtime)] public static partial int cudaHostGetDevicePointer(out IntPtr device, IntPtr host, uint flags);
    [LibraryImport(Runtime)] public static partial int cudaFreeHost(IntPtr host);
    [LibraryImport(Runtime)] public static partial int cudaStreamQuery(IntPtr stream);
    [LibraryImport("LibTorchSharp")] public static partial IntPtr THSTensor_data(IntPtr tensor);
    [LibraryImport(Runtime)] public static partial int cudaRuntimeGetVersion(out int version);
    [LibraryImport(Runtime)] public static partial int cudaDriverGetVersion(out int version);
    [LibraryImport(Runtime)] private static partial IntPtr cudaGetErrorString(int status);

    [LibraryImport(Driver)] public static partial int cuInit(uint flags);
    [LibraryImport(Driver)] private static partial int cuGetErrorString(int status, out IntPtr text);
    [LibraryImport(Driver)] public static partial int cuDeviceGet(out int device, int ordinal);
    [LibraryImport(Driver)] public static unsafe partial int cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Driver)] public static partial int cuDeviceGetCount(out int count);
    [LibraryImport(Driver)] public static unsafe partial int cuDeviceGetUuid(byte* uuid, int device);

    /// <summary>c10::cuda::CUDAStream: 16 trivially-copyable bytes, passed and returned by value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct C10Stream
    {
        public byte DeviceType;
        public sbyte DeviceIndex;
        public long Id;
    }

    [LibraryImport(C10, EntryPoint = "_ZN3c104cuda21getStreamFromExternalEP11CUstream_sta")]
    public static partial C10Stream GetStreamFromExternal(IntPtr stream, sbyte device);
    [LibraryImport(C10, EntryPoint = "_ZN3c104cuda20setCurrentCUDAStreamENS0_10CUDAStreamE")]
    public static partial void SetCurrentCudaStream(C10Stream stream);
    [LibraryImport(C10, EntryPoint = "_ZN3c104cuda20getCurrentCUDAStreamEa")]
    public static partial C10Stream GetCurrentCudaStream(sbyte device);

    public static void Check(int status, string call)
    {
        if (status != 0)
            throw new CudaException($"{call} failed: {Marshal.PtrToStringAnsi(cudaGetErrorString(status))} (cudaError {status})");
    }

    /// <summary>
    /// Every CUDA driver call's status, ours and the fused kernels' alike: a failure throws CudaException, which
    /// the engine host treats as fatal (the context may be unusable), so the engine process is restarted.
    /// </summary>
    public static void CheckDriver(int status, string call)
    {
        if (status == 0) return;
        var text = cuGetErrorString(status, out var p) == 0 ? Marshal.PtrToStringUTF8(p) : null;
        throw new CudaException($"{call} failed: {text ?? "unknown error"} (CUresult {status})");
    }

    public static (long Free, long Total) MemoryInfo()
    {
        Check(cudaMemGetInfo(out var free, out var total), nameof(cudaMemGetInfo));
        return ((long)free, (long)total);
    }

    /// <summary>The GPU's name, the driver (kernel module version when readable, and its CUDA API version), the CUDA runtime version.</summary>
    public static unsafe (string Name, string Driver, string Runtime) Describe(int ordinal)
    {
        CheckDriver(cuInit(0), nameof(cuInit));
        CheckDriver(cuDeviceGet(out var device, ordinal), nameof(cuDeviceGet));
        var name = new byte[256];
        fixed (byte* p = name)
            CheckDriver(cuDeviceGetName(p, name.Length, device), nameof(cuDeviceGetName));
        Check(cudaDriverGetVersion(out var driverApi), nameof(cudaDriverGetVersion));
        Check(cudaRuntimeGetVersion(out var runtime), nameof(cudaRuntimeGetVersion));

        var driver = $"CUDA {Dotted(driverApi)}";
        const string moduleVersionFile = "/proc/driver/nvidia/version";
        if (File.Exists(moduleVersionFile) && Regex.Match(File.ReadAllText(moduleVersionFile), @"Kernel Module\s+(\S+)") is { Success: true } m)
            driver = $"{m.Groups[1].Value} ({driver})";
        return (System.Text.Encoding.ASCII.GetString(name).TrimEnd('\0'), driver, Dotted(runtime));
    }

    /// <summary>
    /// The device at this ordinal (as this process numbers them, after CUDA_VISIBLE_DEVICES), with its UUID
    /// in nvidia-smi's form (GPU-xxxxxxxx-xxxx-...), and how many devices the process sees in all.
    /// </summary>
    public static unsafe (string Uuid, int Count) Identify(int ordinal)
    {
        CheckDriver(cuInit(0), nameof(cuInit));
        CheckDriver(cuDeviceGetCount(out var count), nameof(cuDeviceGetCount));
        CheckDriver(cuDeviceGet(out var device, ordinal), nameof(cuDeviceGet));
        var uuid = new byte[16];
        fixed (byte* p = uuid)
            CheckDriver(cuDeviceGetUuid(p, device), nameof(cuDeviceGetUuid));
        return ("GPU-" + new Guid(uuid, bigEndian: true).ToString("D"), count);
    }

    static string Dotted(int version) => $"{version / 1000}.{version % 1000 / 10}";
}

public sealed class CudaException(string message) : Exception(message);
