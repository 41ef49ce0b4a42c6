namespace GptBench.GpuWorker.Tests.Kernels;

/// <summary>
/// scripts/stall-lines, which sums a kernel's warp stall samples (Nsight Compute's source page) by CUDA source line
/// (nvdisasm's line comments), on small files of the same shapes.
/// </summary>
public sealed class StallLinesTests : IDisposable
{
    readonly TempFolder temp = new();
    string dir => temp.Path;

    const string Profile = """
        "Kernel Name","decode_layers_64",
        "Address","Source","Warp Stall Sampling (All Samples)","Warp Stall Sampling (Not-issued Samples)","stall_barrier","stall_wait","stall_barrier (Not Issued)"
        "0x7f0000001000","      LDC R1, c[0x0][0x28]","1","1","0","1","0"
        "0x7f0000001010","      BAR.SYNC.DEFER_BLOCKING 0x0","0","0","0","0","0"
        "0x7f0000001020","      STG.E desc[UR4][R2.64], R3","6","6","6","0","6"
        "0x7f0000001030","      EXIT","3","3","1","2","1"
        """;

    // Two functions: only decode_layers_64 (the profiled name) with four instructions fits the profile.
    const string Disassembly = """
        //--------------------- .text.decode_layers_128   --------------------------
        	.section	.text.decode_layers_128,"ax",@progbits
        .text.decode_layers_128:
        	//## File "/build/layers.cu", line 10
                /*0000*/                   LDC R1, c[0x0][0x28] ;
        //--------------------- .text.decode_layers_64    --------------------------
        	.section	.text.decode_layers_64,"ax",@progbits
        .text.decode_layers_64:
        	//## File "/build/layers.cu", line 10
                /*0000*/                   LDC R1, c[0x0][0x28] ;
        	//## File "/build/layers.cu", line 12
                /*0010*/                   BAR.SYNC.DEFER_BLOCKING 0x0 ;
                /*0020*/                   STG.E desc[UR4][R2.64], R3 ;
        	//## File "/build/common.cuh", line 2
                /*0030*/                   EXIT ;
        """;

    public StallLinesTests()
    {
        File.WriteAllText(Path.Combine(dir, "sass.csv"), Profile);
        File.WriteAllText(Path.Combine(dir, "layers.sass"), Disassembly);
        File.WriteAllLines(Path.Combine(dir, "layers.cu"), Enumerable.Range(1, 12).Select(i => i == 12 ? "    __syncthreads();" : $"// line {i}"));
        File.WriteAllLines(Path.Combine(dir, "common.cuh"), ["#pragma once", "__device__ void done() {}"]);
    }

    static (int Exit, string Output, string Error) Run(params string[] args) => Scripts.Run("python3", "stall-lines", args);

    [Fact]
    public void Samples_are_summed_by_source_line_largest_first_with_the_lines_text_and_reasons()
    {
        var (exit, output, error) = Run(Path.Combine(dir, "sass.csv"), Path.Combine(dir, "layers.sass"), "--sources", dir);
        Assert.True(exit == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("decode_layers_64: 10 samples over 4 instructions", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^\s+6\s+60\.0%\s+layers\.cu:12\s+__syncthreads\(\);\s+barrier 6$", lines[1]);
        Assert.Matches(@"^\s+3\s+30\.0%\s+common\.cuh:2\s+__device__ void done\(\) \{\}\s+wait 2, barrier 1$", lines[2]);
        Assert.Matches(@"^\s+1\s+10\.0%\s+layers\.cu:10\s+// line 10\s+wait 1$", lines[3]);
    }

    [Fact]
    public void A_disassembly_without_the_profiled_instructions_is_refused()
    {
        File.WriteAllLines(Path.Combine(dir, "other.sass"), Disassembly.Split('\n').Where(line => !line.Contains("EXIT")));
        var (exit, _, error) = Run(Path.Combine(dir, "sass.csv"), Path.Combine(dir, "other.sass"));
        Assert.NotEqual(0, exit);
        Assert.Contains("no disassembly of decode_layers_64 with the profiled 4 instructions", error);
    }

    public void Dispose() => temp.Dispose();
}
