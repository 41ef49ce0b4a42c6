using System.Runtime.InteropServices;
using System.Text;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// NVRTC, the CUDA run-time compiler, as it comes with pip's PyTorch (site-packages/nvidia/cu13/lib)
/// or a CUDA toolkit. Bound through function pointers so no DllImport resolver is needed.
/// </summary>
internal static unsafe class Nvrtc
{
    static readonly Lazy<IntPtr> Library = new(() => NativeLibraries.Load("NVRTC",
        ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"], NativeLibraries.CudaLibraryFolders()));

    static IntPtr Fn(string name) => NativeLibrary.GetExport(Library.Value, name);

    public static string Version()
    {
        int major, minor;
        Check(((delegate* unmanaged<int*, int*, int>)Fn("nvrtcVersion"))(&major, &minor), "nvrtcVersion");
        return $"{major}.{minor}";
    }

    /// <summary>Compiles CUDA C to a cubin; a compile error throws with NVRTC's log.</summary>
    public static byte[] CompileToCubin(string source, string name, IReadOnlyDictionary<string, string> headers, IReadOnlyList<string> options)
    {
        IntPtr program;
        var headerNames = headers.Keys.ToArray();
        var headerSources = headerNames.Select(h => headers[h]).ToArray();
        using (var src = new Utf8(source))
        using (var nm = new Utf8(name))
        using (var hs = new Utf8Array(headerSources))
        using (var hn = new Utf8Array(headerNames))
            Check(((delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int>)Fn("nvrtcCreateProgram"))(
                &program, src.Pointer, nm.Pointer, headerNames.Length, hs.Pointers, hn.Pointers), "nvrtcCreateProgram");
        try
        {
            int rc;
            using (var opts = new Utf8Array(options.ToArray()))
                rc = ((delegate* unmanaged<IntPtr, int, byte**, int>)Fn("nvrtcCompileProgram"))(program, options.Count, opts.Pointers);
            if (rc != 0)
                throw new CudaKernelException($"nvrtcCompileProgram({name}) failed ({ErrorString(rc)}):\n{Log(program)}");
            nuint size;
            Check(((delegate* unmanaged<IntPtr, nuint*, int>)Fn("nvrtcGetCUBINSize"))(program, &size), "nvrtcGetCUBINSize");
            var cubin = new byte[(int)size];
            fixed (byte* p = cubin)
                Check(((delegate* unmanaged<IntPtr, byte*, int>)Fn("nvrtcGetCUBIN"))(program, p), "nvrtcGetCUBIN");
            return cubin;
        }
        finally
        {
            ((delegate* unmanaged<IntPtr*, int>)Fn("nvrtcDestroyProgram"))(&program);
        }
    }

    static string Log(IntPtr program)
    {
        nuint size;
        ((delegate* unmanaged<IntPtr, nuint*, int>)Fn("nvrtcGetProgramLogSize"))(program, &size);
        var log = new byte[(int)size];
        fixed (byte* p = log) ((delegate* unmanaged<IntPtr, byte*, int>)Fn("nvrtcGetProgramLog"))(program, p);
        return Encoding.UTF8.GetString(log).TrimEnd('\0');
    }

    static string ErrorString(int rc) =>
        Marshal.PtrToStringUTF8(((delegate* unmanaged<int, IntPtr>)Fn("nvrtcGetErrorString"))(rc)) ?? $"error {rc}";

    static void Check(int rc, string call)
    {
        if (rc != 0) throw new CudaKernelException($"{call} failed: {ErrorString(rc)} ({rc})");
    }

    /// <summary>A NUL-terminated UTF-8 copy of a string in unmanaged memory.</summary>
    sealed class Utf8(string text) : IDisposable
    {
        public byte* Pointer { get; } = (byte*)Marshal.StringToCoTaskMemUTF8(text);
        public void Dispose() => Marshal.FreeCoTaskMem((IntPtr)Pointer);
    }

    sealed class Utf8Array : IDisposable
    {
        readonly Utf8[] items;
        public byte** Pointers { get; }

        public Utf8Array(string[] texts)
        {
            items = texts.Select(t => new Utf8(t)).ToArray();
            Pointers = (byte**)Marshal.AllocCoTaskMem(IntPtr.Size * Math.Max(1, items.Length));
            for (var i = 0; i < items.Length; i++) Pointers[i] = items[i].Pointer;
        }

        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
            Marshal.FreeCoTaskMem((IntPtr)Pointers);
        }
    }
}

public sealed class CudaKernelException(string message) : Exception(message);
