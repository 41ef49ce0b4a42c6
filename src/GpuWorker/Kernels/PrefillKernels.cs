using System.Runtime.InteropServices;
using GptBench.GpuWorker.Host;
using GptBench.GpuWorker.Model;
using GptBench.GpuWorker.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// The prompt's prefill through prefill.cu: the embedding, five launches a layer (LayerNorm + QKV, attention,
/// projection, LayerNorm + MLP up + GELU, MLP down; from <see cref="SeparateLayerNormFrom"/> positions each LayerNorm
/// a launch of its own before its product) with the linear layers on tensor cores over FusedWeights' bf16 or int8 weights, then the decoder's start: the last position's residual row into its X (for its lm_head),
/// its step state and its sampler's seed. The keys and values go into the cache the decode kernels read; past them the
/// last layer computes the prompt's last position only (<see cref="LastPositionOnly"/>). The
/// prompt and seed are read from mapped host memory, so a captured graph of these launches serves every prompt up
/// to its length. The same work also runs as one persistent launch (prefill_all: one block an SM, grid barriers between
/// the steps instead of launches), measured slower and so only where asked (FusedEngine.PrefillLaunchChoice).
/// </summary>
internal sealed class PrefillKernels : IDisposable
{
    // prefill.cu's sizes.
    const uint Threads = 256;
    const int TileM = 64, TileN = 64, TileK = 64, Stages = 6, Queries = 64, Keys = 64, HeadDim = 64, LnRows = 16;

    /// <summary>The sizes above by their names in prefill.cu (a test holds them equal).</summary>
    internal static readonly IReadOnlyDictionary<string, int> KernelDefines = new Dictionary<string, int>
    {
        ["THREADS"] = (int)Threads, ["TILE_M"] = TileM, ["TILE_N"] = TileN, ["TILE_K"] = TileK, ["STAGES"] = Stages,
        ["QUERIES"] = Queries, ["KEYS"] = Keys, ["HEAD_DIM"] = HeadDim, ["LN_ROWS"] = LnRows,
    };

    /// <summary>
    /// The environment variable that sets <see cref="SeparateLayerNormFrom"/>: the positions from which a LayerNorm runs
    /// as a launch of its own (0: always, a number past the context: never).
    /// </summary>
    public const string SeparateLayerNormVariable = "GPTBENCH_PREFILL_LAYERNORM_FROM";

    /// <summary>The default of <see cref="SeparateLayerNormFrom"/>.</summary>
    public const int DefaultSeparateLayerNormFrom = 128;

    /// <summary>
    /// The positions from which each LayerNorm runs as its own launch (prefill_layernorm, rows normalised once) and
    /// ln_matmul copies its rows normalised, rather than every block of a row tile normalising the same 64 rows from fp32:
    /// <paramref name="value"/> (the environment's), or the default where it is unset.
    /// </summary>
    public static int SeparateLayerNormFrom(string? value) => WholeNumberSetting.Parse(SeparateLayerNormVariable, value,
        DefaultSeparateLayerNormFrom, 0, int.MaxValue, "a whole number of positions, 0 or more");

    /// <summary>
    /// The environment variable that sets <see cref="KParts"/>: how many parts of a block share K in the products from
    /// normalised rows (normed_matmul), 1 for none (ln_matmul's normalised path instead).
    /// </summary>
    public const string KPartsVariable = "GPTBENCH_PREFILL_K_PARTS";

    /// <summary>
    /// The parts of normed_matmul's blocks: <paramref name="value"/> (the environment's), or where it is unset 4 for bf16
    /// weights and 2 for int8. The engine runs them at 128 positions only (longer prompts go to TorchSharp), where TTFT
    /// at 128 tokens measured, same call, bf16 4 parts 0.479..0.483 ms against 2 parts 0.486..0.509 (two machines), int8
    /// 2 parts 0.476 against 4 parts 0.481..0.483 on one machine and alike on the other (BENCHMARKS.md, eighteenth session).
    /// </summary>
    public static int KParts(string? value, bool int8) =>
        WholeNumberSetting.Parse(KPartsVariable, value, int8 ? 2 : 4, 1, 4, "1 (none), 2, 3 or 4 parts");

    /// <summary>
    /// The parts normed_matmul runs with for this model (0: ln_matmul instead): <paramref name="parts"/> where there are
    /// several, they divide K's chunks and every weight chunk fits in shared memory beside the tile's rows.
    /// </summary>
    public static int NormedParts(int C, bool int8, int maxSharedBytes, int parts) =>
        parts > 1 && C / TileK % parts == 0 && NormedMatmulSharedBytes(C, int8) <= maxSharedBytes ? parts : 0;

    /// <summary>normed_matmul's dynamic shared memory: a tile's normalised rows and every weight chunk of K = <paramref name="C"/>.</summary>
    public static int NormedMatmulSharedBytes(int C, bool int8) => LnMatmulSharedBytes(C, int8, C / TileK);

    readonly Gpt2Config c;
    readonly FusedWeights w;
    readonly Tensor keysAndValues;
    readonly KernelModule module;
    readonly int matmulSlots, lnStages; // matmul_residual's blocks resident at once (2 an SM); ln_matmul's weight stages
    readonly int normedParts;           // normed_matmul's parts, 0 where ln_matmul copies the normalised rows instead
    readonly MappedInts start; // prefill.cu's Start: [length, seed, tokens...]
    const int TokensAt = 2;
    readonly Tensor x, qkv, att, hidden, normed;
    readonly int separateLayerNormFrom = SeparateLayerNormFrom(Environment.GetEnvironmentVariable(SeparateLayerNormVariable));
    readonly Tensor layerTable; // prefill_all's PrefillLayer per layer
    readonly Tensor counters;   // prefill_all's barrier and done counters
    readonly Tensor promptLength; // [1] int32: the prompt's length, copied by prefill_embed for the last layer's launches
    readonly uint persistentBlocks; // prefill_all's grid, 0 where it does not fit

    /// <summary>prefill.cu's PrefillArgs, field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct PersistentArgs
    {
        public IntPtr Layers, Wte, WteScale, Wpe, WpeScale, Start;
        public IntPtr X, Qkv, Att, Hidden, Cache;
        public IntPtr Last, State, Seed, Counters;
        public int L, T, Positions, ProjSplits, DownSplits;
        public float Eps;
    }

    /// <summary>The prefill kernels for one model and cache; <paramref name="persistent"/>: <see cref="Enqueue"/> runs one persistent launch.</summary>
    public PrefillKernels(Gpt2Config config, FusedWeights weights, Tensor keysAndValues, Device device, bool persistent)
    {
        var maxShared = CudaDriver.MaxSharedBytesPerBlock();
        if (!Fits(config, weights.Int8, maxShared, out var reason))
            throw new ArgumentException($"the prefill kernels do not fit this model: {reason}");
        c = config;
        w = weights;
        this.keysAndValues = keysAndValues;
        lnStages = LnStages(c.NEmbd, w.Int8, maxShared);
        normedParts = NormedParts(c.NEmbd, w.Int8, maxShared, KParts(Environment.GetEnvironmentVariable(KPartsVariable), w.Int8));
        module = KernelModule.Load("prefill.cu", weights.Define, $"MODEL_C={c.NEmbd}", $"LN_STAGES={lnStages}", $"K_PARTS={Math.Max(normedParts, 1)}");
        module.Reserve("ln_matmul", Threads, LnMatmulSharedBytes(c.NEmbd, w.Int8, lnStages));
        if (normedParts > 0) module.Reserve("normed_matmul", (uint)normedParts * Threads, NormedMatmulSharedBytes(c.NEmbd, w.Int8));
        matmulSlots = CudaDriver.Multiprocessors() * module.Reserve("matmul_residual", Threads, MatmulSharedBytes(w.Int8));
        start = new MappedInts(TokensAt + c.NPositions);
        long T = c.NPositions, C = c.NEmbd;
        Tensor Buffer(long columns, ScalarType type) => zeros([T, columns], type, device).DetachFromDisposeScope();
        x = Buffer(C, ScalarType.Float32);
        qkv = Buffer(3 * C, ScalarType.BFloat16);
        att = Buffer(C, ScalarType.BFloat16);
        hidden = Buffer(4 * C, ScalarType.BFloat16);
        normed = Buffer(C, ScalarType.BFloat16);
        layerTable = tensor(w.Layers.SelectMany(LayerTable).ToArray(), ScalarType.Int64, device).DetachFromDisposeScope();
        counters = zeros([2], ScalarType.Int32, device).DetachFromDisposeScope();
        promptLength = zeros([1], ScalarType.Int32, device).DetachFromDisposeScope();
        persistentBlocks = PersistentGrid(module.Reserve("prefill_all", Threads, LnMatmulSharedBytes(c.NEmbd, w.Int8, lnStages)),
            CudaDriver.Multiprocessors(), persistent);
        Persistent = persistent;
    }

    /// <summary>
    /// prefill_all's grid: one block an SM where <paramref name="residentPerMultiprocessor"/> says one fits (its blocks must
    /// all be resident at once), else 0; asking for the <paramref name="persistent"/> prefill where none fits is an error.
    /// </summary>
    public static uint PersistentGrid(int residentPerMultiprocessor, int multiprocessors, bool persistent)
    {
        if (residentPerMultiprocessor >= 1) return (uint)multiprocessors;
        if (persistent) throw new InvalidOperationException("prefill_all: no block of it fits on an SM, so the prefill cannot run as one launch");
        return 0;
    }

    /// <summary>Whether the persistent prefill's blocks can all be resident at once, one an SM.</summary>
    public bool PersistentFits => persistentBlocks > 0;

    /// <summary>Whether <see cref="Enqueue"/> runs the prefill as one persistent launch rather than five launches a layer.</summary>
    public bool Persistent { get; }

    /// <summary>prefill.cu's PrefillLayer: two LayerNorms' gain and shift, four products' weights, scales and biases.</summary>
    public const int PointersPerLayer = 16;

    /// <summary>One layer's pointers in prefill.cu's PrefillLayer order.</summary>
    static IEnumerable<long> LayerTable(FusedWeights.Layer l)
    {
        static IEnumerable<IntPtr> Product(FusedWeights.Matrix m, Tensor bias) => [m.WeightPointer, m.ScalePointer, Pointers.Of(bias)];
        IntPtr[] pointers = [Pointers.Of(l.Ln1Weight), Pointers.Of(l.Ln1Bias), .. Product(l.Attn, l.AttnBias), .. Product(l.AttnProj, l.AttnProjBias),
            Pointers.Of(l.Ln2Weight), Pointers.Of(l.Ln2Bias), .. Product(l.Fc, l.FcBias), .. Product(l.MlpProj, l.MlpProjBias)];
        var table = pointers.Select(p => (long)p).ToArray();
        return table.Length == PointersPerLayer ? table : throw new InvalidOperationException("layer table out of step with prefill.cu");
    }

    /// <summary>Whether prefill.cu fits the model: 64-wide heads (so every width is a multiple of its tiles), and ln_matmul's shared memory.</summary>
    public static bool Fits(Gpt2Config c, bool int8, int maxSharedBytes, out string reason)
    {
        var shared = LnMatmulSharedBytes(c.NEmbd, int8, stages: 2);
        reason = c.HeadDim != HeadDim ? $"heads are {c.HeadDim} wide, the kernels' {HeadDim}"
            : shared > maxSharedBytes ? $"ln_matmul needs {shared} bytes of shared memory, the GPU gives a block {maxSharedBytes}"
            : "";
        return reason == "";
    }

    /// <summary>
    /// The longest prompt, up to <paramref name="longest"/>, for which the prefill kernels are expected to beat the TorchSharp
    /// prefill, 0 for none: they fit, and the widest product (the MLP's first half, 4 C / TILE_N x positions / TILE_M blocks
    /// of one per SM) runs in one wave on <paramref name="multiprocessors"/> SMs. Measured on the H100 (BENCHMARKS.md, "Larger
    /// models"): gpt2-large's takes two waves at 128 positions (160 blocks on 132), where TorchSharp's is faster, and one at
    /// 32, where ours is; gpt2 and gpt2-medium's one at 128, ours faster. <paramref name="reason"/> says why it stops short of
    /// <paramref name="longest"/>, else is empty.
    /// </summary>
    public static int LongestFaster(Gpt2Config c, bool int8, int maxSharedBytes, int multiprocessors, int longest, out string reason)
    {
        if (!Fits(c, int8, maxSharedBytes, out reason)) return 0;
        var perRowTile = 4 * c.NEmbd / TileN;
        var upTo = Math.Min(longest, multiprocessors / perRowTile * TileM);
        var past = perRowTile * (upTo / TileM + 1); // its blocks one row tile further
        reason = upTo >= longest ? ""
            : upTo == 0 ? $"its widest product needs {perRowTile} blocks for one row tile, more than one wave on {multiprocessors} SMs"
            : $"its widest product needs {past} blocks from {upTo + 1} positions, more than one wave on {multiprocessors} SMs";
        return upTo;
    }

    /// <summary>ln_matmul's dynamic shared memory: a tile's rows normalised (bf16, padded), and the weight stages.</summary>
    public static int LnMatmulSharedBytes(int C, bool int8, int stages) => TileM * (C + 8) * 2 + stages * WeightStageBytes(int8);

    /// <summary>
    /// ln_matmul's weight stages: as many as <paramref name="maxSharedBytes"/> holds beside the normalised rows, up to one
    /// per chunk of K = <paramref name="C"/> and one more, so that every chunk's copy is in flight from the start.
    /// </summary>
    public static int LnStages(int C, bool int8, int maxSharedBytes) =>
        Math.Min(C / TileK + 1, (maxSharedBytes - LnMatmulSharedBytes(C, int8, 0)) / WeightStageBytes(int8));

    /// <summary>matmul_residual's: activation and weight stages.</summary>
    public static int MatmulSharedBytes(bool int8) => Stages * (TileM * (TileK + 8) * 2 + WeightStageBytes(int8));

    static int WeightStageBytes(bool int8) => TileN * ((int8 ? TileK : 2 * TileK) + 16);

    /// <summary>
    /// How many blocks share the reduction of a product of <paramref name="tiles"/> output tiles over
    /// <paramref name="chunks"/> chunks: enough to fill the GPU's <paramref name="slots"/> for resident blocks (at 2 an
    /// SM, measured faster than 1 over the whole prefill although each product alone is slower: BENCHMARKS.md), at
    /// most one chunk each.
    /// </summary>
    public static int Splits(int tiles, int chunks, int slots) => Math.Clamp(slots / tiles, 1, chunks);

    /// <summary>
    /// Groups of warps in an attention block taking alternate tiles of keys (prefill.cu's prefill_attention_1 and _2): one
    /// while every key fits one tile, two beyond (measured: two are 2..3% faster over the whole prefill from 128 positions,
    /// 2.6% slower at 16).
    /// </summary>
    public static int AttentionKeyGroups(int positions) => positions > Keys ? 2 : 1;

    /// <summary>
    /// Whether <paramref name="layer"/>'s launches past its QKV compute the prompt's last position only: in the last layer,
    /// whose keys and values are all the cache needs of it and whose last residual row is all the lm_head reads. Attention
    /// there still stores every position's keys and values (all its blocks run), but only the block of the last position's
    /// tile computes outputs; the three products after it run one row tile, that position's row. The position is read on
    /// the device, since a captured graph serves every prompt length up to its own.
    /// </summary>
    public static bool LastPositionOnly(int layer, int layers) => layer == layers - 1;

    /// <summary>A product's row tiles (its grid's y) over <paramref name="positions"/>: one for the prompt's last position alone.</summary>
    public static int RowTiles(int positions, bool lastPositionOnly) => lastPositionOnly ? 1 : (positions + TileM - 1) / TileM;

    /// <summary>The most positions one prefill computes: the cache's length.</summary>
    public int MaxPositions => c.NPositions;

    /// <summary>
    /// Puts <paramref name="tokens"/> where the kernels read them, padded with token 0 up to <paramref name="positions"/>
    /// (the length the enqueued work computes), and the sampler's <paramref name="seed"/> (Sampler.SeedValue, 32 bits);
    /// call only while no prefill runs.
    /// </summary>
    public void SetPrompt(ReadOnlySpan<int> tokens, int positions, long seed)
    {
        WriteStart(start.AsSpan(), tokens, positions, seed);
        Thread.MemoryBarrier(); // the writes leave this core before the launch that reads them is enqueued
    }

    /// <summary>
    /// prefill.cu's Start in <paramref name="values"/>: [length, seed, tokens..., 0 up to <paramref name="positions"/>].
    /// Span copies, not a loop: this is on the first token's path, where a loop of 128 indexer calls took ~8 us (a probe
    /// of the seventeenth session; an engine serves few requests, so its code likely still ran unoptimised, tier 0).
    /// </summary>
    internal static void WriteStart(Span<int> values, ReadOnlySpan<int> tokens, int positions, long seed)
    {
        var most = values.Length - TokensAt;
        if (tokens.Length == 0 || tokens.Length > positions || positions > most)
            throw new ArgumentOutOfRangeException(nameof(tokens), $"a prompt of {tokens.Length} tokens computed as {positions} positions (at most {most})");
        values[0] = tokens.Length;
        values[1] = unchecked((int)(uint)seed);
        tokens.CopyTo(values[TokensAt..]);
        values[(TokensAt + tokens.Length)..(TokensAt + positions)].Clear();
    }

    /// <summary>
    /// Enqueues the prefill of <paramref name="positions"/> positions, then the decoder's start: the prompt's last position's
    /// residual row into <paramref name="last"/> [C] fp32, (0, length - 1, 0) into <paramref name="state"/> (int32 token,
    /// position, step) and the seed into <paramref name="seed"/> [1] int64.
    /// </summary>
    public void Enqueue(IntPtr stream, int positions, Tensor last, Tensor state, Tensor seed)
    {
        foreach (var launch in Launches(positions, last, state, seed, Persistent)) launch.Enqueue(stream);
    }

    /// <summary>One kernel launch of a prefill: which layer (-1 outside them), what it computes, and the launch.</summary>
    public sealed record Launch(int Layer, string What, Action<IntPtr> Enqueue);

    /// <summary>
    /// The launches of a prefill of <paramref name="positions"/> positions, in order (check-kernels times them one by one):
    /// one where <paramref name="persistent"/> (computing every row of every layer), else five a layer, seven with the
    /// LayerNorms launched on their own (<see cref="SeparateLayerNormFrom"/>; the last layer's
    /// past its QKV for the prompt's last position: <see cref="LastPositionOnly"/>) and the two ends.
    /// </summary>
    public IEnumerable<Launch> Launches(int positions, Tensor last, Tensor state, Tensor seed, bool persistent)
    {
        if (persistent)
        {
            yield return PersistentLaunch(positions, last, state, seed);
            yield break;
        }
        int T = positions, C = c.NEmbd;
        var eps = (float)c.LayerNormEpsilon;
        yield return new(-1, "embedding", s => module.Launch("prefill_embed", ((uint)T, 1, 1), Threads, s, a => a
            .Ptr(w.Wte.WeightPointer).Ptr(w.Wte.ScalePointer).Ptr(w.Wpe.WeightPointer).Ptr(w.Wpe.ScalePointer)
            .Ptr(start.DevicePointer).Ptr(Pointers.Of(x)).Ptr(Pointers.Of(promptLength))));
        var layerStride = 2L * c.NHead * c.NPositions * HeadDim * 2; // bytes of one layer's keys + values (bf16)
        var separate = T >= separateLayerNormFrom; // the LayerNorms as launches of their own
        for (var l = 0; l < c.NLayer; l++)
        {
            var layer = w.Layers[l];
            var keys = Pointers.Of(keysAndValues) + (nint)(l * layerStride);
            var lastPositionOnly = LastPositionOnly(l, c.NLayer);
            var onlyLast = lastPositionOnly ? Pointers.Of(promptLength) : IntPtr.Zero; // the kernels' only_last
            if (separate) yield return new(l, "LayerNorm 1", s => LayerNorm(s, T, IntPtr.Zero, layer.Ln1Weight, layer.Ln1Bias, eps));
            yield return new(l, separate ? "QKV" : "LayerNorm + QKV",
                s => LnMatmul(s, T, IntPtr.Zero, layer.Ln1Weight, layer.Ln1Bias, eps, separate, layer.Attn, layer.AttnBias, gelu: false, qkv));
            var groups = AttentionKeyGroups(T);
            var attention = lastPositionOnly ? "attention (every cache entry, the last position's tile)" : "attention";
            yield return new(l, attention, s => module.Launch($"prefill_attention_{groups}", ((uint)c.NHead, (uint)((T + Queries - 1) / Queries), 1),
                (uint)(32 * groups * Queries / 16), s, a => a
                .Ptr(Pointers.Of(qkv)).Ptr(keys).Ptr(keys + (nint)(layerStride / 2)).Ptr(Pointers.Of(att)).Int(T).Int(c.NPositions).Ptr(onlyLast)));
            yield return new(l, What("projection", lastPositionOnly), s => MatmulResidual(s, T, onlyLast, att, layer.AttnProj, layer.AttnProjBias, C));
            if (separate) yield return new(l, What("LayerNorm 2", lastPositionOnly), s => LayerNorm(s, T, onlyLast, layer.Ln2Weight, layer.Ln2Bias, eps));
            yield return new(l, What(separate ? "MLP up + GELU" : "LayerNorm + MLP up + GELU", lastPositionOnly),
                s => LnMatmul(s, T, onlyLast, layer.Ln2Weight, layer.Ln2Bias, eps, separate, layer.Fc, layer.FcBias, gelu: true, hidden));
            yield return new(l, What("MLP down", lastPositionOnly), s => MatmulResidual(s, T, onlyLast, hidden, layer.MlpProj, layer.MlpProjBias, 4 * C));
        }
        yield return new(-1, "decoder's start", s => module.Launch("prefill_last", (1, 1, 1), Threads, s, a => a
            .Ptr(Pointers.Of(x)).Ptr(start.DevicePointer).Ptr(Pointers.Of(last)).Ptr(Pointers.Of(state)).Ptr(Pointers.Of(seed))));
    }

    /// <summary>A product's label, saying where it computes one row.</summary>
    static string What(string step, bool lastPositionOnly) => lastPositionOnly ? $"{step} (last position)" : step;

    Launch PersistentLaunch(int T, Tensor last, Tensor state, Tensor seed)
    {
        if (persistentBlocks == 0) throw new InvalidOperationException("prefill_all: no block of it fits on an SM");
        int C = c.NEmbd, rows = (T + TileM - 1) / TileM;
        var args = new PersistentArgs
        {
            Layers = Pointers.Of(layerTable), Wte = w.Wte.WeightPointer, WteScale = w.Wte.ScalePointer, Wpe = w.Wpe.WeightPointer,
            WpeScale = w.Wpe.ScalePointer, Start = start.DevicePointer,
            X = Pointers.Of(x), Qkv = Pointers.Of(qkv), Att = Pointers.Of(att), Hidden = Pointers.Of(hidden), Cache = Pointers.Of(keysAndValues),
            Last = Pointers.Of(last), State = Pointers.Of(state), Seed = Pointers.Of(seed), Counters = Pointers.Of(counters),
            L = c.NLayer, T = T, Positions = c.NPositions,
            ProjSplits = Splits(C / TileN * rows, C / TileK, (int)persistentBlocks),
            DownSplits = Splits(C / TileN * rows, 4 * C / TileK, (int)persistentBlocks),
            Eps = (float)c.LayerNormEpsilon,
        };
        return new(-1, "whole prefill, one persistent launch", s => module.Launch("prefill_all", (persistentBlocks, 1, 1), Threads, s,
            a => a.Struct(args), (uint)LnMatmulSharedBytes(C, w.Int8, lnStages)));
    }

    // onlyLast: the prompt's length in device memory where its last position alone is computed (prefill.cu's only_last),
    // or zero for every position. Where the LayerNorm ran as its own launch (LayerNorm below), normed_matmul (or ln_matmul,
    // where that does not fit) copies its rows.
    void LnMatmul(IntPtr stream, int T, IntPtr onlyLast, Tensor lnWeight, Tensor lnBias, float eps, bool normalised, FusedWeights.Matrix m, Tensor bias,
                  bool gelu, Tensor y)
    {
        var N = (int)m.Weight.shape[0];
        if (normalised && normedParts > 0)
        {
            module.Launch("normed_matmul", ((uint)(N / TileN), (uint)RowTiles(T, onlyLast != IntPtr.Zero), 1), (uint)normedParts * Threads, stream, a => a
                .Ptr(Pointers.Of(normed)).Ptr(m.WeightPointer).Ptr(m.ScalePointer).Ptr(Pointers.Of(bias)).Int(gelu ? 1 : 0).Ptr(Pointers.Of(y)).Int(T).Int(N)
                .Ptr(onlyLast),
                (uint)NormedMatmulSharedBytes(c.NEmbd, w.Int8));
            return;
        }
        module.Launch("ln_matmul", ((uint)(N / TileN), (uint)RowTiles(T, onlyLast != IntPtr.Zero), 1), Threads, stream, a => a
            .Ptr(Pointers.Of(x)).Ptr(Pointers.Of(lnWeight)).Ptr(Pointers.Of(lnBias)).Float(eps).Ptr(normalised ? Pointers.Of(normed) : IntPtr.Zero)
            .Ptr(m.WeightPointer).Ptr(m.ScalePointer).Ptr(Pointers.Of(bias)).Int(gelu ? 1 : 0).Ptr(Pointers.Of(y)).Int(T).Int(N).Ptr(onlyLast),
            (uint)LnMatmulSharedBytes(c.NEmbd, w.Int8, lnStages));
    }

    void LayerNorm(IntPtr stream, int T, IntPtr onlyLast, Tensor lnWeight, Tensor lnBias, float eps) =>
        module.Launch("prefill_layernorm", ((uint)(onlyLast != IntPtr.Zero ? 1 : (T + LnRows - 1) / LnRows), 1, 1), Threads, stream, a => a
            .Ptr(Pointers.Of(x)).Ptr(Pointers.Of(lnWeight)).Ptr(Pointers.Of(lnBias)).Float(eps).Ptr(Pointers.Of(normed)).Int(T).Ptr(onlyLast));

    void MatmulResidual(IntPtr stream, int T, IntPtr onlyLast, Tensor input, FusedWeights.Matrix m, Tensor bias, int K)
    {
        var N = (int)m.Weight.shape[0];
        var (columns, rows) = (N / TileN, RowTiles(T, onlyLast != IntPtr.Zero));
        var splits = Splits(columns * rows, K / TileK, matmulSlots);
        module.Launch("matmul_residual", ((uint)columns, (uint)rows, (uint)splits), Threads, stream, a => a
            .Ptr(Pointers.Of(input)).Ptr(m.WeightPointer).Ptr(m.ScalePointer).Ptr(Pointers.Of(bias))
            .Ptr(Pointers.Of(x)).Int(T).Int(N).Int(K).Ptr(onlyLast),
            (uint)MatmulSharedBytes(w.Int8));
    }

    public void Dispose()
    {
        start.Dispose();
        foreach (var t in new[] { x, qkv, att, hidden, normed, layerTable, counters, promptLength }) t.Dispose();
    }
}
