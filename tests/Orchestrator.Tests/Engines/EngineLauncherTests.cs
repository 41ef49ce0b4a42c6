using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Engines;

namespace GptBench.Orchestrator.Tests.Engines;

public class EngineLauncherTests
{
    static readonly ModelSpec Tiny = new(Preset: "tiny");

    [Fact]
    public void Cpu_slots_share_the_cores_and_see_no_gpu()
    {
        var slots = WorkerSlot.Cpus(2);
        Assert.Equal(["cpu0", "cpu1"], slots.Select(s => s.Name));
        Assert.All(slots, s => Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), s.CpuThreads));

        var launch = EngineLauncher.For(slots[1], Tiny, "tiny", "static", "fp32", "cpu");
        Assert.Equal("", launch.StartInfo.Environment["CUDA_VISIBLE_DEVICES"]);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")))
            Assert.Equal(slots[1].CpuThreads.ToString(), launch.StartInfo.Environment["OMP_NUM_THREADS"]);
        var program = launch.StartInfo.ArgumentList.FirstOrDefault() ?? launch.StartInfo.FileName; // `dotnet GpuWorker.dll` or the apphost
        Assert.Matches(@"GpuWorker(\.dll)?$", program);
    }

    [Fact]
    public void Gpu_slots_pin_their_engine_to_their_gpu()
    {
        var launch = EngineLauncher.For(WorkerSlot.ForGpu(3), Tiny, "tiny", "static", "fp32", "cpu");
        Assert.Equal("3", launch.StartInfo.Environment["CUDA_VISIBLE_DEVICES"]);
        Assert.Null(WorkerSlot.ForGpu(3).CpuThreads); // a GPU slot's engine keeps libtorch's own thread count
    }

    [Fact]
    public void Hf_engines_start_the_python_adapter_shipped_beside_the_engine()
    {
        var launch = EngineLauncher.For(WorkerSlot.ForGpu(0), Tiny, "tiny", "hf-eager", "fp32", "cpu");
        Assert.Equal("python3", launch.StartInfo.FileName);
        var script = launch.StartInfo.ArgumentList.Last();
        Assert.EndsWith(Path.Combine("hf", "hf_engine.py"), script);
        Assert.True(File.Exists(script), $"{script} is not beside the engine");
    }
}
