using System.Runtime.InteropServices;
using GptBench.GpuWorker.Model;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// layers.cu for one model: every transformer layer of a decode step in one persistent launch of one block per
/// SM. Owns the kernel's workspace (the per-layer parameter table, the down-projections transposed, the residual
/// buffers the layers alternate between, the attention projections' sums, the published query, key and value
/// and attention slices, the barrier counters) and its launch plan.
/// </summary>
internal sealed class LayerKernel : IDisposable
{
    public const uint Threads = 512;      // layers.cu THREADS
    const int MaxWidth = 4 * (int)Threads; // layers.cu holds a C-vector four elements a thread (holds_quad)
    const int PointersPerLayer = 18;      // layers.cu LayerParams
    const int MaxLayers = 48;             // layers.cu MAX_LAYERS
    const int MaxRows = 64;               // layers.cu MAX_ROWS: a block's rows of one matrix
    const int MaxSlices = 12;             // layers.cu MAX_SLICES
    const int MaxPieceRows = 256;         // layers.cu MAX_PIECE_ROWS: a block's rows of its head's projection columns
    const int Replicas = 4;               // layers.cu REPLICAS: copies of each residual buffer
    const int CounterCopies = 2;          // layers.cu COUNTER_COPIES: copies of each barrier counter
    const int CounterStride = 64;         // common.cuh COUNTER_STRIDE: words between them
    internal const int TraceStampsPerLayer = 12; // layers.cu TRACE_EVENTS / L
    const int MostWeightBuffers = 3;      // layers.cu WEIGHT_BUFFERS: three, or two with TWO_BUFFERS
    const int StaticSharedReserve = 20 * 1024; // layers.cu's own shared memory (layer table, reductions) fits in this
    static readonly int[] HeadSizes = [32, 64, 128];

    /// <summary>The constants above that layers.cu and common.cuh define too, by their names there (a test holds them equal).</summary>
    internal static readonly IReadOnlyDictionary<string, int> KernelDefines = new Dictionary<string, int>
    {
        ["THREADS"] = (int)Threads, ["MAX_LAYERS"] = MaxLayers, ["MAX_ROWS"] = MaxRows, ["MAX_SLICES"] = MaxSlices,
        ["MAX_PIECE_ROWS"] = MaxPieceRows, ["REPLICAS"] = Replicas, ["COUNTER_COPIES"] = CounterCopies, ["COUNTER_STRIDE"] = CounterStride,
    };

    /// <summary>layers.cu's Model, field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct ModelArgs
    {
        public IntPtr Layers, Wte, WteScale, Wpe, WpeScale;
        public int L, C, H, T;
        public float Eps;
    }

    /// <summary>layers.cu's Buffers, field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct BufferArgs
    {
        public IntPtr X, Residual, Projection, Qkv, Partial, Cache, Counters, Trace;
        public int MaxSlices;
    }

    /// <summary>
    /// How the kernel runs: blocks (one per SM), attention slices per head, the size of each of its weight buffers (the
    /// most rows of C weights a block takes of one matrix), how many (three, or two where three do not fit: layers.cu's
    /// TWO_BUFFERS, each copy then issued after its buffer's last reader) and all dynamic shared memory.
    /// </summary>
    public sealed record Plan(uint Blocks, int MaxSlices, int BufferBytes, int WeightBuffers, int DynamicSharedBytes)
    {
        /// <summary>layers.cu's defines beyond the weight type's.</summary>
        public string[] Defines => WeightBuffers == 2 ? ["TWO_BUFFERS"] : [];
    }

    /// <summary>
    /// The launch plan for <paramref name="c"/> with <paramref name="weightElementBytes"/>-byte weights on a GPU of
    /// <paramref name="multiprocessors"/> SMs whose blocks may use <paramref name="maxSharedBytes"/> of shared
    /// memory: three weight buffers (two where three do not fit), then the activation area (the layer's input kept for its
    /// MLP phase, then the residual vector or one attention slice's scores), leaving room for the kernel's static shared
    /// memory.
    /// </summary>
    public static Plan PlanFor(Gpt2Config c, int weightElementBytes, int multiprocessors, int maxSharedBytes)
    {
        if (!HeadSizes.Contains(c.HeadDim))
            throw new ArgumentException($"the fused engine's layer kernel supports head sizes {string.Join(", ", HeadSizes)}; this model's is {c.HeadDim}");
        if (c.NEmbd % 16 != 0 || c.NEmbd > MaxWidth)
            throw new ArgumentException($"the fused engine's layer kernel needs a width that is a multiple of 16 and at most {MaxWidth}; this model's is {c.NEmbd}");
        if (c.NLayer > MaxLayers)
            throw new ArgumentException($"the fused engine's layer kernel supports up to {MaxLayers} layers; this model has {c.NLayer}");
        static int RowsPerBlock(int n, int blocks) => (n + blocks - 1) / blocks;
        if (RowsPerBlock(4 * c.NEmbd, multiprocessors) > MaxRows)
            throw new ArgumentException($"the fused engine's layer kernel gives each SM at most {MaxRows} rows of a matrix; {4 * c.NEmbd} over {multiprocessors} SMs is more");
        // At most 64 rows of 4C (C >= 32 H) over G blocks: G >= 2 H, so every head has a group of blocks.
        var perHead = multiprocessors / c.NHead;
        // A block takes its share of MLP up's 4C rows, and of its head's 3 D rows of W_attn (query, key, value): at
        // most as many for the head sizes above whenever the MLP's fit in MaxRows, but a buffer must hold either.
        var rowsPerBlock = Math.Max(RowsPerBlock(4 * c.NEmbd, multiprocessors), RowsPerBlock(3 * c.HeadDim, perHead));
        var maxSlices = Math.Min(perHead, MaxSlices);
        // The attention projection: each head's group of blocks takes its D columns, a block C / (G / H) rows of
        // them (smaller than the buffers, which hold 4C / G rows of C).
        var pieceRows = 4 * ((c.NEmbd / 4 + perHead - 1) / perHead); // in groups of 4 rows
        if (pieceRows > MaxPieceRows)
            throw new ArgumentException($"the fused engine's layer kernel gives each SM at most {MaxPieceRows} rows of a head's projection; {c.NEmbd} over {perHead} SMs a head is more");
        var positionsPerPass = (int)Threads / (c.HeadDim / 8);
        var activationBytes = 4 * (c.NEmbd + new[] { c.NEmbd, positionsPerPass, (c.NPositions + maxSlices - 1) / maxSlices }.Max());
        // Every matrix is split by rows of C weights (the MLP's down-projection transposed).
        var bufferBytes = rowsPerBlock * c.NEmbd * weightElementBytes;
        var room = maxSharedBytes - StaticSharedReserve - activationBytes;
        var buffers = Math.Min(MostWeightBuffers, room / bufferBytes);
        if (buffers < 2)
            throw new ArgumentException($"the fused engine's layer kernel needs two weight buffers of {bufferBytes} bytes; this GPU's shared memory leaves {room}");
        return new Plan((uint)multiprocessors, maxSlices, bufferBytes, buffers, buffers * bufferBytes + activationBytes);
    }

    /// <summary>Whether the kernel can run <paramref name="c"/> on the current GPU; if not, why.</summary>
    public static bool Fits(Gpt2Config c, bool int8, out string reason)
    {
        try
        {
            PlanFor(c, int8 ? 1 : 2, CudaDriver.Multiprocessors(), CudaDriver.MaxSharedBytesPerBlock());
            reason = "";
            return true;
        }
        catch (ArgumentException e)
        {
            reason = e.Message;
            return false;
        }
    }

    readonly KernelModule module;
    readonly Gpt2Config c;
    readonly FusedWeights w;
    readonly string name;
    readonly Plan plan;
    readonly Tensor layerTable, residual;
    readonly Tensor zeroed; // ZeroedLayout's words
    readonly ZeroedLayout layout;
    readonly Tensor[] downProjections; // per layer the MLP's down-projection [4C, C]: a block's rows are contiguous
    readonly FoldedNorm[] qkvNorms, fcNorms; // per layer LayerNorm 1 folded into QKV, LayerNorm 2 into MLP up
    Tensor? trace;

    public LayerKernel(Gpt2Config config, FusedWeights weights, Device device)
    {
        c = config;
        w = weights;
        plan = PlanFor(config, weights.Int8 ? 1 : 2, CudaDriver.Multiprocessors(), CudaDriver.MaxSharedBytesPerBlock());
        module = KernelModule.Load("layers.cu", [weights.Define, .. plan.Defines]);
        name = $"decode_layers_{config.HeadDim}";
        var resident = module.Reserve(name, Threads, plan.DynamicSharedBytes);
        if (resident < 1)
            throw new InvalidOperationException($"decode_layers: no block of {Threads} threads with {plan.DynamicSharedBytes} bytes of shared memory fits on an SM");
        downProjections = weights.Layers.Select(l => l.MlpProj.Weight.t().contiguous().DetachFromDisposeScope()).ToArray();
        qkvNorms = weights.Layers.Select(l => FoldNorm(l.Attn, l.AttnBias, l.Ln1Weight, l.Ln1Bias)).ToArray();
        fcNorms = weights.Layers.Select(l => FoldNorm(l.Fc, l.FcBias, l.Ln2Weight, l.Ln2Bias)).ToArray();
        layerTable = tensor(weights.Layers.SelectMany((l, i) => Table(l, downProjections[i], qkvNorms[i], fcNorms[i])).ToArray(),
            ScalarType.Int64, device).DetachFromDisposeScope();
        residual = zeros([2L * Replicas * c.NEmbd], ScalarType.Float32, device).DetachFromDisposeScope();
        layout = ZeroedLayout.For(c, plan.MaxSlices);
        zeroed = zeros([layout.Words], ScalarType.Int32, device).DetachFromDisposeScope();
    }

    public Plan LaunchPlan => plan;

    /// <summary>
    /// What <see cref="Reset"/> zeroes, as offsets in one tensor of 4-byte words: the barrier counter per step
    /// parity at 0, the three rotating projection sums (fp32, [3, C]), the published query, key and value ([3 C])
    /// and attention slices ([H, max slices, D + 2]), 8 bytes a published value; each part 16-byte aligned
    /// (vector atomics and loads).
    /// </summary>
    public sealed record ZeroedLayout(long ProjectionAt, long QkvAt, long PartialAt, long Words)
    {
        /// <summary>The barrier counters': two step parities of <see cref="CounterCopies"/> copies.</summary>
        public const long CounterWords = 2 * CounterCopies * CounterStride;

        public static ZeroedLayout For(Gpt2Config c, int maxSlices)
        {
            static long Aligned(long words) => (words + 3) / 4 * 4;
            var projectionAt = Aligned(CounterWords);
            var qkvAt = projectionAt + Aligned(3L * c.NEmbd);
            var partialAt = qkvAt + Aligned(2 * 3L * c.NEmbd);
            return new ZeroedLayout(projectionAt, qkvAt, partialAt, partialAt + Aligned(2L * c.NHead * maxSlices * (c.HeadDim + 2)));
        }
    }

    /// <summary>
    /// A LayerNorm folded into the product W x + b after it, so the kernel needs no barrier between the LayerNorm's
    /// statistics and the product: W LayerNorm(x) + b = rstd (W (gain x) - mean GainSum) scale + Bias, where mean and
    /// rstd are x's, GainSum[r] = sum_i W[r, i] gain[i] in the weight's own units (int8: before the row's scale;
    /// bf16: scale 1) and Bias = b + W~ shift (W~ the weights as the kernel computes with them).
    /// </summary>
    public sealed record FoldedNorm(Tensor GainSum, Tensor Bias) : IDisposable
    {
        public void Dispose()
        {
            GainSum.Dispose();
            Bias.Dispose();
        }
    }

    /// <summary>LayerNorm (<paramref name="gain"/>, <paramref name="shift"/>) folded into <paramref name="m"/> x +
    /// <paramref name="bias"/>; a null bias where the product has none (the lm_head).</summary>
    public static FoldedNorm FoldNorm(FusedWeights.Matrix m, Tensor? bias, Tensor gain, Tensor shift)
    {
        using var scope = NewDisposeScope();
        // Elementwise products summed rather than matrix products: those may run in TF32.
        var gainSum = m.Weight.to(ScalarType.Float32).mul(gain.unsqueeze(0)).sum(1).contiguous();
        var shifted = FusedWeights.Dequantize(m).mul(shift.unsqueeze(0)).sum(1);
        var folded = (bias is null ? shifted : shifted.add(bias)).contiguous();
        return new FoldedNorm(gainSum.DetachFromDisposeScope(), folded.DetachFromDisposeScope()); // its holder disposes it
    }

    /// <summary>
    /// One layer's pointers in layers.cu's LayerParams order: weights (the down-projection transposed, its scales
    /// per output as before), scales, biases (QKV's and MLP up's with their LayerNorm's shift folded in), gain sums
    /// (QKV and MLP up), then the two LayerNorms' gains.
    /// </summary>
    static IEnumerable<long> Table(FusedWeights.Layer l, Tensor downProjection, FoldedNorm qkv, FoldedNorm fc)
    {
        FusedWeights.Matrix[] matrices = [l.Attn, l.AttnProj, l.Fc, l.MlpProj];
        Tensor[] biases = [qkv.Bias, l.AttnProjBias, fc.Bias, l.MlpProjBias];
        var table = new[] { l.Attn.Weight, l.AttnProj.Weight, l.Fc.Weight, downProjection }.Select(t => (long)Pointers.Of(t))
            .Concat(matrices.Select(m => (long)m.ScalePointer))
            .Concat(biases.Select(b => (long)Pointers.Of(b)))
            .Concat([(long)Pointers.Of(qkv.GainSum), 0L, (long)Pointers.Of(fc.GainSum), 0L])
            .Concat(new[] { l.Ln1Weight, l.Ln2Weight }.Select(t => (long)Pointers.Of(t)))
            .ToArray();
        return table.Length == PointersPerLayer ? table : throw new InvalidOperationException("layer table out of step with layers.cu");
    }

    /// <summary>
    /// From now on every launch stamps each block's phases (layers.cu stamp()); <see cref="Profile"/> reads the last
    /// launch's stamps. Costs a few global stores a phase, so it is for profiling, not for measured runs.
    /// </summary>
    public void EnableTrace(Device device) =>
        trace ??= zeros([plan.Blocks * (long)c.NLayer * TraceStampsPerLayer], ScalarType.Int64, device).DetachFromDisposeScope();

    /// <summary>The last traced launch's phases (synchronise the stream first).</summary>
    public IReadOnlyList<LayerProfile.PhaseTimes> Profile() => LayerProfile.Summarize(Stamps(), (int)plan.Blocks, c.NLayer);

    /// <summary>
    /// Which head's group block <paramref name="block"/> of <paramref name="blocks"/> is in, and its index there (layers.cu
    /// HeadGroup: head h has blocks [ceil(h G / H), ceil((h + 1) G / H))); the group's first blocks attend.
    /// </summary>
    public static (int Head, int Index) HeadGroupOf(int block, int blocks, int heads)
    {
        var head = (int)((long)block * heads / blocks);
        return (head, block - (head * blocks + heads - 1) / heads);
    }

    /// <summary>The kernel's blocks, one an SM.</summary>
    public uint Blocks => plan.Blocks;

    /// <summary>The last traced launch's stragglers at each grid barrier (synchronise the stream first).</summary>
    public IReadOnlyList<LayerProfile.Stragglers> Stragglers() => LayerProfile.LastArrivals(Stamps(), (int)plan.Blocks, c.NLayer);

    long[] Stamps() => trace?.cpu().data<long>().ToArray() ?? throw new InvalidOperationException("EnableTrace first");

    /// <summary>
    /// Zeroes the barrier counters, the projection sums and the published values (<see cref="ZeroedLayout"/>):
    /// before the first step of a generation, whose step count (and so the published values' tags) starts again
    /// at 0; each step resets the next one's counter and zeroes the next layer's sum.
    /// </summary>
    public void Reset() => zeroed.zero_();

    /// <summary>
    /// Enqueues every layer for the token and position in <paramref name="state"/> (int32 token, position, step):
    /// x ends as the last layer's output, the cache [L, 2, H, T, D] at <paramref name="cache"/> gains the position's keys and values.
    /// </summary>
    public void Launch(IntPtr stream, Tensor state, Tensor x, IntPtr cache)
    {
        var model = new ModelArgs
        {
            Layers = Pointers.Of(layerTable), Wte = w.Wte.WeightPointer, WteScale = w.Wte.ScalePointer,
            Wpe = w.Wpe.WeightPointer, WpeScale = w.Wpe.ScalePointer,
            L = c.NLayer, C = c.NEmbd, H = c.NHead, T = c.NPositions, Eps = (float)c.LayerNormEpsilon,
        };
        var buffers = new BufferArgs
        {
            X = Pointers.Of(x), Residual = Pointers.Of(residual), Projection = Word(layout.ProjectionAt), Qkv = Word(layout.QkvAt), Partial = Word(layout.PartialAt),
            Cache = cache, Counters = Word(0), Trace = trace is null ? IntPtr.Zero : Pointers.Of(trace), MaxSlices = plan.MaxSlices,
        };
        module.Launch(name, (plan.Blocks, 1, 1), Threads, stream, a => a
            .Struct(model).Struct(buffers).Ptr(Pointers.Of(state)).Int(plan.BufferBytes), (uint)plan.DynamicSharedBytes);
    }

    IntPtr Word(long offset) => Pointers.Of(zeroed) + (nint)(4 * offset);

    public void Dispose()
    {
        layerTable.Dispose();
        zeroed.Dispose();
        residual.Dispose();
        foreach (var t in downProjections) t.Dispose();
        foreach (var f in qkvNorms.Concat(fcNorms)) f.Dispose();
        trace?.Dispose();
    }
}
