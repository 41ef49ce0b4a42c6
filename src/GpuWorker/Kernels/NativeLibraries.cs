using System.Runtime.InteropServices;

namespace GptBench.GpuWorker.Kernels;

/// <summary>Finds CUDA's shared libraries where a pip-installed PyTorch or a CUDA install puts them.</summary>
internal static class NativeLibraries
{
    /// <summary>Loads the first candidate that opens: an explicit path from the environment variable, then each folder, then the loader's search.</summary>
    public static IntPtr Load(string envVar, IReadOnlyList<string> names, IEnumerable<string> folders)
    {
        if (Environment.GetEnvironmentVariable(envVar) is { Length: > 0 } explicitPath)
            return NativeLibrary.Load(explicitPath);
        var tried = new List<string>();
        foreach (var folder in folders)
            foreach (var name in names)
            {
                var path = Path.Combine(folder, name);
                tried.Add(path);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle)) return handle;
            }
        foreach (var name in names)
        {
            tried.Add(name);
            if (NativeLibrary.TryLoad(name, out var handle)) return handle;
        }
        throw new DllNotFoundException($"none of these loaded: {string.Join(", ", tried)} (set {envVar} to the library's path)");
    }

    /// <summary>Folders beside the CUDA libtorch in use: its lib/ and site-packages/nvidia/*/lib.</summary>
    public static IEnumerable<string> CudaLibraryFolders()
    {
        var torchLib = Environment.GetEnvironmentVariable("GPTBENCH_LIBTORCH");
        if (string.IsNullOrEmpty(torchLib)) yield break;
        yield return torchLib;
        // torch/lib -> site-packages/nvidia/<pkg>/lib
        var sitePackages = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(torchLib)));
        var nvidia = sitePackages is null ? null : Path.Combine(sitePackages, "nvidia");
        if (nvidia is null || !Directory.Exists(nvidia)) yield break;
        foreach (var package in Directory.GetDirectories(nvidia).Order())
        {
            var lib = Path.Combine(package, "lib");
            if (Directory.Exists(lib)) yield return lib;
        }
    }
}
