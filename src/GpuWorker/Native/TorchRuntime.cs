using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TorchSharp;

namespace GptBench.GpuWorker.Native;

/// <summary>Where libtorch was found, and whether it can drive CUDA.</summary>
public sealed record TorchLibrary(string Folder, bool HasCuda, string Version, string Source);

/// <summary>
/// Loads libtorch before the first TorchSharp call. Which libtorch, in order:
/// 1. the folder named by GPTBENCH_LIBTORCH (a torch/lib folder);
/// 2. the PyTorch that <c>python3</c> imports, when its lib folder has libtorch_cuda.so
///    (how the GPU machine runs: TorchSharp's CUDA packages are not available here);
/// 3. the CPU libtorch packaged next to this program (runtimes/linux-x64/native).
/// For a CUDA libtorch, LD_LIBRARY_PATH should contain that folder too (the orchestrator sets it for
/// the engine process), so libraries that libtorch opens later by name resolve to the same files.
/// Every test or program touching TorchSharp calls <see cref="Initialize"/> first.
/// </summary>
public static class TorchRuntime
{
    const string GlibcxxNeeded = "GLIBCXX_3.4.32";
    static readonly Lazy<TorchLibrary> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads libtorch once (thread-safe); later calls return what the first found.</summary>
    /// <remarks>Nothing here may touch <c>torch</c> members before the native libraries are loaded:
    /// TorchSharp's static constructor would try, and fail, to load them its own way.</remarks>
    public static TorchLibrary Initialize() => Loaded.Value;

    public static string PackagedNativeFolder => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    static TorchLibrary Load()
    {
        var library = FindLibrary();
        string[] preload = library.HasCuda
            ? ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"]
            : ["libc10.so", "libtorch_cpu.so", "libtorch.so"];
        foreach (var name in preload)
            NativeLibrary.Load(Path.Combine(library.Folder, name));

        var libTorchSharp = NativeLibrary.Load(LibTorchSharpToLoad());
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly,
            (name, _, _) => name == "LibTorchSharp" ? libTorchSharp : IntPtr.Zero);
        NativeLibrary.SetDllImportResolver(typeof(TorchRuntime).Assembly,
            (name, _, _) => name == "LibTorchSharp" ? libTorchSharp : ResolveOwnImport(name, library.Folder));

        torch.InitializeDeviceType(library.HasCuda ? DeviceType.CUDA : DeviceType.CPU);
        // The packaged libtorch's version is the one TorchSharp was built for; reading it earlier would load TorchSharp too soon.
        return library.Source == "packaged" ? library with { Version = torch.__version__ } : library;
    }

    /// <summary>The CUDA libtorch this machine offers (GPTBENCH_LIBTORCH, else python3's torch), found without loading anything.</summary>
    public static string? FindCudaLibraryFolder()
    {
        var fromEnv = Environment.GetEnvironmentVariable("GPTBENCH_LIBTORCH");
        var folder = string.IsNullOrEmpty(fromEnv) ? PythonTorchLib() : fromEnv;
        return folder is not null && File.Exists(Path.Combine(folder, "libtorch_cuda.so")) ? folder : null;
    }

    static TorchLibrary FindLibrary()
    {
        var fromEnv = Environment.GetEnvironmentVariable("GPTBENCH_LIBTORCH");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            if (!File.Exists(Path.Combine(fromEnv, "libtorch_cpu.so")))
                throw new InvalidOperationException($"GPTBENCH_LIBTORCH={fromEnv} has no libtorch_cpu.so: point it at a torch/lib folder");
            return Describe(fromEnv, "GPTBENCH_LIBTORCH");
        }
        var pythonLib = PythonTorchLib();
        if (pythonLib is not null && File.Exists(Path.Combine(pythonLib, "libtorch_cuda.so")))
            return Describe(pythonLib, "python3");
        if (!File.Exists(Path.Combine(PackagedNativeFolder, "libtorch_cpu.so")))
            throw new InvalidOperationException(
                $"no libtorch found: set GPTBENCH_LIBTORCH to a torch/lib folder, install a CUDA PyTorch for python3, or build with the packaged CPU libtorch ({PackagedNativeFolder})");
        return new TorchLibrary(PackagedNativeFolder, HasCuda: false, Version: "", "packaged");
    }

    static TorchLibrary Describe(string folder, string source) =>
        new(folder, File.Exists(Path.Combine(folder, "libtorch_cuda.so")), VersionOfTorchFolder(folder), source);

    // torch/lib/../version.py holds `__version__ = '2.11.0+cu130'` in a pip install.
    static string VersionOfTorchFolder(string libFolder)
    {
        var versionFile = Path.Combine(libFolder, "..", "version.py");
        if (File.Exists(versionFile))
        {
            var match = Regex.Match(File.ReadAllText(versionFile), @"__version__\s*=\s*['""]([^'""]+)['""]");
            if (match.Success) return match.Groups[1].Value;
        }
        return "unknown";
    }

    static string? PythonTorchLib()
    {
        try
        {
            var start = new ProcessStartInfo("python3", ["-c", "import torch,os;print(os.path.join(os.path.dirname(torch.__file__),'lib'))"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var python = Process.Start(start)!;
            var stdoutTask = python.StandardOutput.ReadToEndAsync();
            _ = python.StandardError.ReadToEndAsync();
            if (!python.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                python.Kill();
                return null;
            }
            var folder = stdoutTask.Result.Trim();
            return python.ExitCode == 0 && Directory.Exists(folder) ? folder : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no python3 on this machine
        }
    }

    // TorchSharp's own LibTorchSharp, patched on a copy when the system libstdc++ is too old for it.
    static string LibTorchSharpToLoad()
    {
        // A build keeps it under runtimes/<rid>/native; a publish for one runtime puts it beside the program.
        string[] candidates = [Path.Combine(PackagedNativeFolder, "libLibTorchSharp.so"), Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so")];
        var original = candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"TorchSharp's native library is missing: none of {string.Join(", ", candidates)}");
        var libstdcxx = LoadedLibstdcxx();
        if (FileContains(libstdcxx, GlibcxxNeeded))
            return original;

        var bytes = File.ReadAllBytes(original);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        var folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "gptbench", "native", hash);
        var patched = Path.Combine(folder, "libLibTorchSharp.so");
        if (!File.Exists(patched))
        {
            if (ElfVersionPatch.MarkVersionNeededWeak(bytes, GlibcxxNeeded) != 1)
                throw new InvalidOperationException($"{original}: expected exactly one {GlibcxxNeeded} version-needed entry to mark weak");
            Directory.CreateDirectory(folder);
            var temporary = patched + $".{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, patched, overwrite: true); // atomic: concurrent engine processes may race here
        }
        Console.Error.WriteLine(
            $"gptbench: {libstdcxx} lacks {GlibcxxNeeded}, which TorchSharp's libLibTorchSharp.so asks for only as a never-called link marker; loading a copy with that requirement marked weak: {patched}");
        return patched;
    }

    /// <summary>The libstdc++ this process has loaded (from /proc/self/maps), else the system default.</summary>
    internal static string LoadedLibstdcxx()
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var slash = line.IndexOf('/');
            if (slash >= 0 && Path.GetFileName(line[slash..]).StartsWith("libstdc++.so", StringComparison.Ordinal))
                return line[slash..];
        }
        return "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
    }

    internal static bool FileContains(string path, string text) =>
        File.ReadAllBytes(path).AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(text)) >= 0;

    // P/Invoke names used by Native/Cuda*.cs, resolved next to the libtorch in use.
    static IntPtr ResolveOwnImport(string name, string torchFolder)
    {
        string[] candidates = name switch
        {
            "cudart" => [
                Path.Combine(torchFolder, "libcudart.so.13"),
                Path.Combine(torchFolder, "..", "..", "nvidia", "cu13", "lib", "libcudart.so.13"),
                "libcudart.so.13"],
            "c10_cuda" => [Path.Combine(torchFolder, "libc10_cuda.so")],
            "nvrtc" => [
                Path.Combine(torchFolder, "libnvrtc.so.13"),
                Path.Combine(torchFolder, "..", "..", "nvidia", "cu13", "lib", "libnvrtc.so.13"),
                "libnvrtc.so.13", "libnvrtc.so"],
            "cuda" => ["libcuda.so.1"],
            _ => [],
        };
        foreach (var candidate in candidates)
            if (NativeLibrary.TryLoad(candidate, out var handle))
                return handle;
        return IntPtr.Zero;
    }
}
