using static GptBench.GpuWorker.Kernels.Checks.LaunchTiming;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels.Checks;

/// <summary>What a check prints: its line (ok or FAIL, the error, the time, the bandwidth against the ceiling), and the error measure.</summary>
static class CheckReport
{
    const double CeilingBytesPerSecond = 3.0e12; // H100 device-to-device copy, GPU-NOTES.md

    /// <summary>Microseconds to two places, or "-" where there is no such time (a phase without a barrier).</summary>
    public static string Us(double us) => double.IsNaN(us) ? "-" : us.ToString("0.00");

    /// <summary>||actual - reference|| / ||reference||, in fp64.</summary>
    public static double RelativeError(Tensor actual, Tensor reference) =>
        actual.to(ScalarType.Float64).sub(reference.to(ScalarType.Float64)).norm().item<double>() / reference.to(ScalarType.Float64).norm().item<double>();

    /// <summary>A check's line: ok or FAIL, what, the error, the time per launch and the bytes it moves as GB/s.</summary>
    public static string Line(bool ok, string what, double error, Timing us, long bytes)
    {
        var gbs = bytes / (us.Median * 1e-6) / 1e9;
        return $"{(ok ? "ok  " : "FAIL")} {what,-52} error {error:0.0e+0}  {us.Median,8:0.00} us ({us.Min:0.00}..{us.Max:0.00} over {Replays})  "
            + $"{gbs,7:0} GB/s  ({100 * gbs * 1e9 / CeilingBytesPerSecond:0}% of 3.0 TB/s)";
    }
}
