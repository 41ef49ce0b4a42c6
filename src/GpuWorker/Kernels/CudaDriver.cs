using System.Runtime.InteropServices;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// The few CUDA driver calls that load and launch our own kernels (libcuda.so.1, from the NVIDIA
/// driver). Launches go on the engine's stream, so they are captured into its graphs like any op.
/// </summary>
internal static unsafe class CudaDriver
{
    static readonly Lazy<IntPtr> Library = new(() => NativeLibraries.Load("GPTBENCH_LIBCUDA", ["libcuda.so.1", "libcuda.so"], []));

    static IntPtr Fn(string name) => NativeLibrary.GetExport(Library.Value, name);

    public static IntPtr LoadModule(byte[] cubin)
    {
        IntPtr module;
        fixed (byte* image = cubin)
            Check(((delegate* unmanaged<IntPtr*, byte*, int>)Fn("cuModuleLoadData"))(&module, image), "cuModuleLoadData");
        return module;
    }

    public static IntPtr GetFunction(IntPtr module, string name)
    {
        IntPtr function;
        var utf8 = Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            Check(((delegate* unmanaged<IntPtr*, IntPtr, IntPtr, int>)Fn("cuModuleGetFunction"))(&function, module, utf8), $"cuModuleGetFunction({name})");
        }
        finally
        {
            Marshal.FreeCoTaskMem(utf8);
        }
        return function;
    }

    public static void Launch(IntPtr function, string name, (uint X, uint Y, uint Z) grid, uint blockThreads, IntPtr stream, void** arguments, uint sharedBytes = 0)
    {
        Check(((delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int>)Fn("cuLaunchKernel"))(
            function, grid.X, grid.Y, grid.Z, blockThreads, 1, 1, sharedBytes, stream, arguments, null), $"cuLaunchKernel({name})");
    }

    /// <summary>The compute capability of the current context's device, e.g. (9, 0) for Hopper.</summary>
    public static (int Major, int Minor) ComputeCapability()
    {
        int device, major, minor;
        Check(((delegate* unmanaged<int*, int>)Fn("cuCtxGetDevice"))(&device), "cuCtxGetDevice");
        var attribute = (delegate* unmanaged<int*, int, int, int>)Fn("cuDeviceGetAttribute");
        Check(attribute(&major, 75, device), "cuDeviceGetAttribute(major)"); // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
        Check(attribute(&minor, 76, device), "cuDeviceGetAttribute(minor)");
        return (major, minor);
    }

    static void Check(int rc, string call)
    {
        if (rc == 0) return;
        IntPtr text;
        var described = ((delegate* unmanaged<int, IntPtr*, int>)Fn("cuGetErrorString"))(rc, &text) == 0 ? Marshal.PtrToStringUTF8(text) : null;
        throw new CudaKernelException($"{call} failed: {described ?? "unknown error"} ({rc})");
    }
}
