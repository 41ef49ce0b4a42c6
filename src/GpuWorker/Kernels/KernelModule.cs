using System.Security.Cryptography;
using System.Text;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// One .cu file compiled for this GPU with NVRTC at engine start. The cubin is cached on disk under
/// a hash of the source, its headers, the options and the architecture, so later starts skip NVRTC.
/// </summary>
internal sealed class KernelModule
{
    readonly IntPtr module;
    readonly Dictionary<string, IntPtr> functions = [];

    KernelModule(IntPtr module) => this.module = module;

    /// <summary>Compiles (or loads from the cache) Kernels/<paramref name="file"/> with the given -D defines.</summary>
    public static KernelModule Load(string file, params string[] defines)
    {
        var source = KernelSources.Read(file);
        var headers = KernelSources.Headers();
        var (major, minor) = CudaDriver.ComputeCapability();
        var options = new List<string> { $"-arch=sm_{major}{minor}", "-std=c++17", "-default-device", "-lineinfo" };
        options.AddRange(defines.Select(d => "-D" + d));
        options.AddRange(KernelSources.IncludeFolders().Select(f => "-I" + f));

        var key = Hash(source, headers, options, Nvrtc.Version());
        var cached = Path.Combine(CacheFolder(), $"{Path.GetFileNameWithoutExtension(file)}-{key}.cubin");
        byte[] cubin;
        if (File.Exists(cached))
        {
            cubin = File.ReadAllBytes(cached);
        }
        else
        {
            cubin = Nvrtc.CompileToCubin(source, file, headers, options);
            var temp = cached + $".{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temp, cubin);
            File.Move(temp, cached, overwrite: true); // atomic: concurrent engines never read half a file
        }
        return new KernelModule(CudaDriver.LoadModule(cubin));
    }

    /// <summary>
    /// Opts the kernel into <paramref name="dynamicSharedBytes"/> of dynamic shared memory and returns how many of
    /// its blocks of <paramref name="threads"/> then fit on one SM at once.
    /// </summary>
    public int Reserve(string kernel, uint threads, int dynamicSharedBytes)
    {
        CudaDriver.AllowDynamicShared(Function(kernel), dynamicSharedBytes);
        return CudaDriver.ResidentBlocksPerMultiprocessor(Function(kernel), (int)threads, dynamicSharedBytes);
    }

    IntPtr Function(string name)
    {
        if (!functions.TryGetValue(name, out var f)) functions[name] = f = CudaDriver.GetFunction(module, name);
        return f;
    }

    /// <summary>Enqueues one launch of <paramref name="kernel"/> (1-D blocks) on the stream; arguments in the kernel's order.</summary>
    public unsafe void Launch(string kernel, (uint X, uint Y, uint Z) grid, uint threads, IntPtr stream, Func<KernelArgs, KernelArgs> arguments,
        uint sharedBytes = 0, CudaDriver.L2Window? keep = null)
    {
        using var args = arguments(new KernelArgs());
        CudaDriver.Launch(Function(kernel), kernel, grid, threads, sharedBytes, stream, args.Build(), keep);
    }

    static string CacheFolder()
    {
        var root = Environment.GetEnvironmentVariable("GPTBENCH_KERNEL_CACHE")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "gptbench", "kernels");
        Directory.CreateDirectory(root);
        return root;
    }

    internal static string Hash(string source, IReadOnlyDictionary<string, string> headers, IEnumerable<string> options, string compilerVersion)
    {
        var text = new StringBuilder(source);
        foreach (var (name, body) in headers.OrderBy(h => h.Key, StringComparer.Ordinal)) text.Append('\0').Append(name).Append('\0').Append(body);
        foreach (var option in options) text.Append('\0').Append(option);
        text.Append('\0').Append(compilerVersion);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}

/// <summary>The kernel sources shipped beside the engine (copied from src/GpuWorker/Kernels at build).</summary>
internal static class KernelSources
{
    static string Folder => Path.Combine(AppContext.BaseDirectory, "Kernels");

    public static string Read(string file) => File.ReadAllText(Path.Combine(Folder, file));

    public static IReadOnlyDictionary<string, string> Headers() =>
        Directory.GetFiles(Folder, "*.cuh").ToDictionary(path => Path.GetFileName(path), File.ReadAllText);

    /// <summary>Where cuda_bf16.h lives when NVRTC does not bring it: pip's CUDA headers beside torch, or a toolkit.</summary>
    public static IEnumerable<string> IncludeFolders()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("GPTBENCH_LIBTORCH") is { Length: > 0 } torchLib)
            candidates.Add(Path.GetFullPath(Path.Combine(torchLib, "..", "..", "nvidia", "cu13", "include")));
        candidates.Add(Path.Combine(Environment.GetEnvironmentVariable("CUDA_HOME") ?? "/usr/local/cuda", "include"));
        return candidates.Where(dir => File.Exists(Path.Combine(dir, "cuda_bf16.h")));
    }
}
