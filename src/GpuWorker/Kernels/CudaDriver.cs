using System.Runtime.InteropServices;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// The CUDA driver calls that load and launch our own kernels. Launches go on the engine's stream, so
/// they are captured into its graphs like any op.
/// </summary>
internal static unsafe partial class CudaDriver
{
    const string Library = "cuda";

    [LibraryImport(Library)] private static partial int cuModuleLoadData(out IntPtr module, byte* image);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] private static partial int cuModuleGetFunction(out IntPtr function, IntPtr module, string name);
    [LibraryImport(Library)] private static partial int cuLaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedBytes, IntPtr stream, void** arguments, void** extra);
    [LibraryImport(Library)] private static partial int cuCtxGetDevice(out int device);
    [LibraryImport(Library)] private static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
    [LibraryImport(Library)] private static partial int cuGetErrorString(int status, out IntPtr text);

    const int ComputeCapabilityMajor = 75, ComputeCapabilityMinor = 76; // CU_DEVICE_ATTRIBUTE_*

    public static IntPtr LoadModule(byte[] cubin)
    {
        IntPtr module;
        fixed (byte* image = cubin)
            Check(cuModuleLoadData(out module, image), nameof(cuModuleLoadData));
        return module;
    }

    public static IntPtr GetFunction(IntPtr module, string name)
    {
        Check(cuModuleGetFunction(out var function, module, name), $"cuModuleGetFunction({name})");
        return function;
    }

    public static void Launch(IntPtr function, string name, (uint X, uint Y, uint Z) grid, uint blockThreads, IntPtr stream, void** arguments) =>
        Check(cuLaunchKernel(function, grid.X, grid.Y, grid.Z, blockThreads, 1, 1, 0, stream, arguments, null), $"cuLaunchKernel({name})");

    /// <summary>The compute capability of the current context's device, e.g. (9, 0) for Hopper.</summary>
    public static (int Major, int Minor) ComputeCapability()
    {
        Check(cuCtxGetDevice(out var device), nameof(cuCtxGetDevice));
        Check(cuDeviceGetAttribute(out var major, ComputeCapabilityMajor, device), "cuDeviceGetAttribute(major)");
        Check(cuDeviceGetAttribute(out var minor, ComputeCapabilityMinor, device), "cuDeviceGetAttribute(minor)");
        return (major, minor);
    }

    static void Check(int status, string call)
    {
        if (status == 0) return;
        var text = cuGetErrorString(status, out var p) == 0 ? Marshal.PtrToStringUTF8(p) : null;
        throw new CudaKernelException($"{call} failed: {text ?? "unknown error"} ({status})");
    }
}
