using GptBench.GpuWorker.Protocol;

namespace GptBench.GpuWorker.Tests.Protocol;

/// <summary>The hello's environment names the GPU the engine process sees; both engine programs write it in these fields.</summary>
public class HelloTests
{
    [Fact]
    public void The_gpu_identity_travels_in_the_hello()
    {
        var pinned = new EnvironmentInfo("box", "Xeon", "cuda", "NVIDIA H100 80GB HBM3", "580.1 (CUDA 13.0)", "12.8", "2.10.0", "0.107.0", ".NET 10",
            VisibleDevices: "1", GpuUuid: "GPU-0a1b2c3d-0000-1111-2222-333344445555", GpuIndex: 0, GpuCount: 1);
        var line = JsonLines.Encode(new Hello(pinned));
        Assert.Contains("\"gpuUuid\":\"GPU-0a1b2c3d-0000-1111-2222-333344445555\",\"gpuIndex\":0,\"gpuCount\":1", line);
        Assert.Equal(pinned, Assert.IsType<Hello>(JsonLines.Decode(line)).Environment);
    }

    [Fact]
    public void A_cpu_hello_has_no_gpu_fields()
    {
        // The Python adapter leaves out what it does not know, as the CPU engine does.
        var hello = Assert.IsType<Hello>(JsonLines.Decode("""
            {"type":"hello","v":1,"environment":{"host":"box","cpu":"Ryzen","device":"cpu","libtorch":"2.10.0","torchSharp":"transformers 4.5","dotNet":"python 3.12","visibleDevices":""}}
            """));
        Assert.Equal(("cpu", "", null, null, null), (hello.Environment.Device, hello.Environment.VisibleDevices,
            hello.Environment.GpuUuid, hello.Environment.GpuIndex, hello.Environment.GpuCount));
    }
}
