using GptBench.GpuWorker.Host;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// gemv.cu for one weight type: which entry point, grid and shared memory a matrix gets, and the launch
/// itself (the decoder and check-kernels both go through it, so the argument order lives in one place).
/// </summary>
internal sealed class GemvKernel
{
    /// <summary>The 16-byte vectors per lane and row that gemv.cu's per-layer entry points load ahead (their suffixes).</summary>
    public static readonly int[] VectorsPerLane = [2, 4, 8, 12, 16, 24];
    /// <summary>The same for the lm_head's entry points (4 rows per warp).</summary>
    public static readonly int[] LmHeadVectorsPerLane = [2, 4, 8];
    const int MaxSharedBytes = 48 * 1024; // dynamic shared memory a launch gets without opting in
    /// <summary>The lm_head's entry point (its LayerNorm is ln_f; 4 rows a warp; its launch keeps weights in L2).</summary>
    public const string LmHead = "gemv_ln";

    readonly KernelModule module;
    readonly int vectorElements, multiprocessors;
    readonly long lmHeadSetAside, maxWindowBytes;

    public GemvKernel(bool int8)
    {
        module = KernelModule.Load("gemv.cu", FusedWeights.DefineFor(int8));
        vectorElements = int8 ? 16 : 8; // common.cuh's VEC_ELEMS
        multiprocessors = CudaDriver.Multiprocessors();
        var wanted = LmHeadL2Request(Environment.GetEnvironmentVariable("GPTBENCH_LM_HEAD_L2_BYTES"), CudaDriver.L2Bytes());
        lmHeadSetAside = wanted == 0 ? 0 : CudaDriver.SetAsideL2(wanted);
        maxWindowBytes = CudaDriver.MaxL2WindowBytes();
    }

    /// <summary>
    /// The L2 to set aside for the lm_head's weights, which then stay there from one step to the next: every other
    /// weight is read once a step and streams through the rest of L2, while the lm_head is the one matrix read at full
    /// memory bandwidth, so what of it stays in L2 comes back faster (measured on the H100, BENCHMARKS.md: 16 to 24 MB
    /// of its 50 a step 4 us shorter in bf16, 32 MB or more no faster). <paramref name="setting"/> is
    /// GPTBENCH_LM_HEAD_L2_BYTES: bytes, 0 for none; unset or empty, a third of L2.
    /// </summary>
    public static long LmHeadL2Request(string? setting, long l2Bytes) => WholeNumberSetting.Parse("GPTBENCH_LM_HEAD_L2_BYTES", setting, l2Bytes / 3,
        0L, long.MaxValue, "a whole number of bytes (0: keep none of the lm_head in L2)");

    /// <summary>
    /// The lm_head launch's L2 window: as much of the matrix as one window covers, with the share of its lines that
    /// the set-aside L2 holds marked to stay; none when nothing is set aside.
    /// </summary>
    public static CudaDriver.L2Window? LmHeadWindow(IntPtr weights, long weightBytes, long setAsideBytes, long maxWindowBytes)
    {
        if (setAsideBytes == 0) return null;
        var bytes = Math.Min(weightBytes, maxWindowBytes);
        return new CudaDriver.L2Window(weights, bytes, (float)Math.Min(1.0, (double)setAsideBytes / bytes));
    }

    /// <summary>
    /// How gemv.cu runs <paramref name="kernel"/> over an [n, k] matrix whose 16-byte vectors hold
    /// <paramref name="vectorElements"/> weights on a GPU of <paramref name="multiprocessors"/> SMs: the entry
    /// point (the smallest look-ahead that holds a lane's share of a row, else the largest, which loops),
    /// blocks, threads, and the shared memory for x (and LayerNorm's gain and bias). A per-layer matrix gets
    /// about one block per SM (a warp a row, 4..16 warps a block); the lm_head 32 rows a block.
    /// </summary>
    public static (string Name, (uint, uint, uint) Grid, uint Threads, uint SharedBytes) Shape(string kernel, int n, int k, int vectorElements, int multiprocessors)
    {
        var lmHead = kernel == LmHead;
        var rowsPerBlock = lmHead ? LmHeadRowsPerBlock : Math.Clamp((n + multiprocessors - 1) / multiprocessors, 4, 16);
        var threads = lmHead ? 256u : 32u * (uint)rowsPerBlock;
        var sizes = lmHead ? LmHeadVectorsPerLane : VectorsPerLane;
        var perLane = (k / vectorElements + 31) / 32;
        var size = sizes.FirstOrDefault(v => v >= perLane, sizes[^1]);
        var shared = 4 * k * (kernel.StartsWith("gemv_ln", StringComparison.Ordinal) ? 3 : 1); // x, and LayerNorm's gain and bias
        if (shared > MaxSharedBytes)
            throw new ArgumentException($"the fused engine's {kernel} holds at most {MaxSharedBytes} bytes of inputs in shared memory; {n}x{k} needs {shared}");
        return ($"{kernel}_{size}", ((uint)((n + rowsPerBlock - 1) / rowsPerBlock), 1, 1), threads, (uint)shared);
    }

    /// <summary>The lm_head's rows a block (8 warps of 4 rows): the blocks whose best keys it writes for the sampler.</summary>
    public const int LmHeadRowsPerBlock = 32;

    /// <summary>
    /// Enqueues y = <paramref name="kernel"/>(m, x) over an [n, k] matrix, and for the lm_head, where
    /// <paramref name="blockKeys"/> is set, each block's best logits as sampler keys into it (TokenSampler.BlockKeys); returns
    /// the entry point it used. The lm_head takes ln_f folded into it (<see cref="LayerKernel.FoldNorm"/>): the folded
    /// bias as <paramref name="bias"/>, its gain sums as <paramref name="gainSum"/>, ln_f's gain as
    /// <paramref name="lnWeight"/> and no <paramref name="lnBias"/>.
    /// </summary>
    public string Launch(IntPtr stream, string kernel, FusedWeights.Matrix m, Tensor? bias, Tensor x, Tensor? lnWeight, Tensor? lnBias,
        float eps, Tensor y, int n, int k, Tensor? blockKeys = null, Tensor? gainSum = null)
    {
        var (name, grid, threads, shared) = Shape(kernel, n, k, vectorElements, multiprocessors);
        module.Launch(name, grid, threads, stream, a => a
            .Ptr(m.WeightPointer).Ptr(m.ScalePointer).Ptr(Ptr(bias)).Ptr(Pointers.Of(x)).Ptr(Ptr(lnWeight)).Ptr(Ptr(lnBias))
            .Float(eps).Ptr(Pointers.Of(y)).Int(n).Int(k).Ptr(Ptr(blockKeys)).Ptr(Ptr(gainSum)), shared,
            kernel == LmHead ? LmHeadWindow(m.WeightPointer, m.Weight.NumberOfElements * m.Weight.ElementSize, lmHeadSetAside, maxWindowBytes) : null);
        return name;
    }

    static IntPtr Ptr(Tensor? t) => t is null ? IntPtr.Zero : Pointers.Of(t);
}
