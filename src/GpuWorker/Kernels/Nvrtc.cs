using System.Runtime.InteropServices;
using System.Text;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// NVRTC, the CUDA run-time compiler, as it comes with pip's PyTorch (site-packages/nvidia/cu13/lib);
/// "nvrtc" resolves there (Native/TorchRuntime.cs).
/// </summary>
internal static unsafe partial class Nvrtc
{
    const string Library = "nvrtc";

    [LibraryImport(Library)] private static partial int nvrtcVersion(out int major, out int minor);
    [LibraryImport(Library)] private static partial int nvrtcCreateProgram(out IntPtr program, byte* source, byte* name, int headerCount, byte** headers, byte** headerNames);
    [LibraryImport(Library)] private static partial int nvrtcCompileProgram(IntPtr program, int optionCount, byte** options);
    [LibraryImport(Library)] private static partial int nvrtcGetCUBINSize(IntPtr program, out nuint size);
    [LibraryImport(Library)] private static partial int nvrtcGetCUBIN(IntPtr program, byte* cubin);
    [LibraryImport(Library)] private static partial int nvrtcGetProgramLogSize(IntPtr program, out nuint size);
    [LibraryImport(Library)] private static partial int nvrtcGetProgramLog(IntPtr program, byte* log);
    [LibraryImport(Library)] private static partial int nvrtcDestroyProgram(ref IntPtr program);
    [LibraryImport(Library)] private static partial IntPtr nvrtcGetErrorString(int result);

    public static string Version()
    {
        Check(nvrtcVersion(out var major, out var minor), nameof(nvrtcVersion));
        return $"{major}.{minor}";
    }

    /// <summary>Compiles CUDA C to a cubin; a compile error throws with NVRTC's log.</summary>
    public static byte[] CompileToCubin(string source, string name, IReadOnlyDictionary<string, string> headers, IReadOnlyList<string> options)
    {
        var headerNames = headers.Keys.ToArray();
        IntPtr program;
        using (var src = new Utf8Strings([source, name]))
        using (var hs = new Utf8Strings(headerNames.Select(h => headers[h]).ToArray()))
        using (var hn = new Utf8Strings(headerNames))
            Check(nvrtcCreateProgram(out program, src.Pointers[0], src.Pointers[1], headerNames.Length, hs.Pointers, hn.Pointers), nameof(nvrtcCreateProgram));
        try
        {
            int status;
            using (var opts = new Utf8Strings(options.ToArray()))
                status = nvrtcCompileProgram(program, options.Count, opts.Pointers);
            if (status != 0)
                throw new CudaKernelException($"nvrtcCompileProgram({name}) failed ({ErrorString(status)}):\n{Log(program)}");
            Check(nvrtcGetCUBINSize(program, out var size), nameof(nvrtcGetCUBINSize));
            var cubin = new byte[(int)size];
            fixed (byte* p = cubin)
                Check(nvrtcGetCUBIN(program, p), nameof(nvrtcGetCUBIN));
            return cubin;
        }
        finally
        {
            nvrtcDestroyProgram(ref program);
        }
    }

    static string Log(IntPtr program)
    {
        nvrtcGetProgramLogSize(program, out var size);
        var log = new byte[(int)size];
        fixed (byte* p = log) nvrtcGetProgramLog(program, p);
        return Encoding.UTF8.GetString(log).TrimEnd('\0');
    }

    static string ErrorString(int status) => Marshal.PtrToStringUTF8(nvrtcGetErrorString(status)) ?? $"error {status}";

    static void Check(int status, string call)
    {
        if (status != 0) throw new CudaKernelException($"{call} failed: {ErrorString(status)} ({status})");
    }

    /// <summary>NUL-terminated UTF-8 copies of strings in unmanaged memory, and an array of pointers to them.</summary>
    sealed class Utf8Strings : IDisposable
    {
        public byte** Pointers { get; }
        readonly int count;

        public Utf8Strings(string[] texts)
        {
            count = texts.Length;
            Pointers = (byte**)Marshal.AllocCoTaskMem(IntPtr.Size * Math.Max(1, count));
            for (var i = 0; i < count; i++) Pointers[i] = (byte*)Marshal.StringToCoTaskMemUTF8(texts[i]);
        }

        public void Dispose()
        {
            for (var i = 0; i < count; i++) Marshal.FreeCoTaskMem((IntPtr)Pointers[i]);
            Marshal.FreeCoTaskMem((IntPtr)Pointers);
        }
    }
}

/// <summary>NVRTC could not compile a kernel: the CUDA context is untouched, so the engine process carries on.</summary>
public sealed class CudaKernelException(string message) : Exception(message);
