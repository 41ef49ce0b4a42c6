using System.Runtime.InteropServices;
using GptBench.GpuWorker.Host;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// The CUDA driver calls that load and launch our own kernels. Launches go on the engine's stream, so
/// they are captured into its graphs like any op, each as a programmatic dependent launch: the kernel
/// may start while the one before it on the stream finishes (common.cuh says what each may do then).
/// </summary>
internal static unsafe partial class CudaDriver
{
    const string Library = "cuda";

    [LibraryImport(Library)] private static partial int cuModuleLoadData(out IntPtr module, byte* image);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] private static partial int cuModuleGetFunction(out IntPtr function, IntPtr module, string name);
    [LibraryImport(Library)] private static partial int cuLaunchKernelEx(LaunchConfig* config, IntPtr function, void** arguments, void** extra);
    [LibraryImport(Library)] private static partial int cuCtxGetDevice(out int device);
    [LibraryImport(Library)] private static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
    [LibraryImport(Library)] private static partial int cuFuncSetAttribute(IntPtr function, int attribute, int value);
    [LibraryImport(Library)] private static partial int cuOccupancyMaxActiveBlocksPerMultiprocessor(out int blocks, IntPtr function, int blockSize, nuint dynamicSharedBytes);
    [LibraryImport(Library)] private static partial int cuCtxSetLimit(int limit, nuint value);

    const int ComputeCapabilityMajor = 75, ComputeCapabilityMinor = 76, MultiprocessorCount = 16; // CU_DEVICE_ATTRIBUTE_*
    const int MaxSharedPerBlockOptIn = 97;                                                        // CU_DEVICE_ATTRIBUTE_*
    const int L2CacheSize = 38, MaxPersistingL2CacheSize = 108;                                   // CU_DEVICE_ATTRIBUTE_*
    const int PersistingL2CacheSize = 6;                                                          // CU_LIMIT_*
    const int MaxDynamicSharedBytes = 8;                                                          // CU_FUNC_ATTRIBUTE_*
    const int ProgrammaticStreamSerialization = 6; // CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION
    const int AccessPolicyWindow = 1;               // CU_LAUNCH_ATTRIBUTE_ACCESS_POLICY_WINDOW
    const int MaxAccessPolicyWindowSize = 109;      // CU_DEVICE_ATTRIBUTE_*
    const int Streaming = 1, Persisting = 2;        // CU_ACCESS_PROPERTY_*

    /// <summary>
    /// An address range a launch reads whose L2 lines, HitRatio of them, are marked to stay in the L2 set aside
    /// (SetAsideL2) and the rest to go first.
    /// </summary>
    public readonly record struct L2Window(IntPtr Base, long Bytes, float HitRatio);

    /// <summary>CUlaunchConfig.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct LaunchConfig
    {
        public uint GridX, GridY, GridZ, BlockX, BlockY, BlockZ, SharedBytes;
        public IntPtr Stream;
        public LaunchAttribute* Attributes;
        public uint AttributeCount;
    }

    /// <summary>CUlaunchAttribute: an id, padding to 8 bytes, then a 64-byte value union (one int, or a CUaccessPolicyWindow).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    internal struct LaunchAttribute
    {
        [FieldOffset(0)] public int Id;
        [FieldOffset(8)] public int Value;
        [FieldOffset(8)] public IntPtr WindowBase;
        [FieldOffset(16)] public nuint WindowBytes;
        [FieldOffset(24)] public float HitRatio;
        [FieldOffset(28)] public int HitProperty;
        [FieldOffset(32)] public int MissProperty;
    }

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

    internal const string OverlapVariable = "GPTBENCH_KERNEL_OVERLAP";

    /// <summary>
    /// Whether a launch may overlap the previous one's end (programmatic dependent launch): <paramref name="value"/>, the
    /// environment's GPTBENCH_KERNEL_OVERLAP, 1 or unset; 0 launches every kernel only after the previous one ends (to
    /// measure what overlap buys); anything else is an error rather than a silent default.
    /// </summary>
    internal static bool OverlapFrom(string? value) =>
        WholeNumberSetting.Parse(OverlapVariable, value, 1, 0, 1, "1 (a launch may overlap the one before) or 0 (it waits for its end)") == 1;

    static bool? overlap;
    static bool Overlap => overlap ??= OverlapFrom(Environment.GetEnvironmentVariable(OverlapVariable));

    public static void Launch(IntPtr function, string name, (uint X, uint Y, uint Z) grid, uint blockThreads, uint sharedBytes, IntPtr stream, void** arguments,
        L2Window? keep = null)
    {
        var attributes = stackalloc LaunchAttribute[2];
        var count = 0u;
        if (Overlap) attributes[count++] = new LaunchAttribute { Id = ProgrammaticStreamSerialization, Value = 1 };
        if (keep is { } w)
            attributes[count++] = new LaunchAttribute
            {
                Id = AccessPolicyWindow, WindowBase = w.Base, WindowBytes = (nuint)w.Bytes, HitRatio = w.HitRatio,
                HitProperty = Persisting, MissProperty = Streaming,
            };
        var config = new LaunchConfig
        {
            GridX = grid.X, GridY = grid.Y, GridZ = grid.Z, BlockX = blockThreads, BlockY = 1, BlockZ = 1,
            SharedBytes = sharedBytes, Stream = stream, Attributes = attributes, AttributeCount = count,
        };
        Check(cuLaunchKernelEx(&config, function, arguments, null), $"cuLaunchKernelEx({name})");
    }

    /// <summary>The compute capability of the current context's device, e.g. (9, 0) for Hopper.</summary>
    public static (int Major, int Minor) ComputeCapability() =>
        (Attribute(ComputeCapabilityMajor, "major"), Attribute(ComputeCapabilityMinor, "minor"));

    /// <summary>The number of SMs of the current context's device.</summary>
    public static int Multiprocessors() => Attribute(MultiprocessorCount, "multiprocessors");

    /// <summary>The most shared memory one block may use when its kernel opts in (227 KiB on the H100).</summary>
    public static int MaxSharedBytesPerBlock() => Attribute(MaxSharedPerBlockOptIn, "max shared memory per block (opt-in)");

    /// <summary>The longest address range one L2Window may cover.</summary>
    public static long MaxL2WindowBytes() => Attribute(MaxAccessPolicyWindowSize, "max access policy window size");

    /// <summary>The L2 cache's size in bytes (50 MiB on the H100 SXM).</summary>
    public static int L2Bytes() => Attribute(L2CacheSize, "L2 cache size");

    /// <summary>
    /// Sets aside up to <paramref name="bytes"/> of L2 for lines marked to stay (L2Window), at most what the device
    /// allows; returns the bytes set aside. The rest of L2 serves everything else as before.
    /// </summary>
    public static long SetAsideL2(long bytes)
    {
        var granted = Math.Min(bytes, Attribute(MaxPersistingL2CacheSize, "max persisting L2 cache size"));
        if (granted <= 0) return 0; // a GPU without persisting L2 (before Ampere) refuses the limit itself
        Check(cuCtxSetLimit(PersistingL2CacheSize, (nuint)granted), "cuCtxSetLimit(persisting L2 cache size)");
        return granted;
    }

    /// <summary>Lets the kernel's launches ask for more than the default 48 KiB of dynamic shared memory.</summary>
    public static void AllowDynamicShared(IntPtr function, int bytes) =>
        Check(cuFuncSetAttribute(function, MaxDynamicSharedBytes, bytes), "cuFuncSetAttribute(max dynamic shared memory)");

    /// <summary>How many blocks of the kernel fit on one SM at once with this block size and dynamic shared memory.</summary>
    public static int ResidentBlocksPerMultiprocessor(IntPtr function, int blockThreads, int dynamicSharedBytes)
    {
        Check(cuOccupancyMaxActiveBlocksPerMultiprocessor(out var blocks, function, blockThreads, (nuint)dynamicSharedBytes),
            nameof(cuOccupancyMaxActiveBlocksPerMultiprocessor));
        return blocks;
    }

    static int Attribute(int attribute, string name)
    {
        Check(cuCtxGetDevice(out var device), nameof(cuCtxGetDevice));
        Check(cuDeviceGetAttribute(out var value, attribute, device), $"cuDeviceGetAttribute({name})");
        return value;
    }

    static void Check(int status, string call) => Native.CudaApi.CheckDriver(status, call);
}
