using static TorchSharp.torch;

namespace GptBench.GpuWorker.Model;

/// <summary>Keys and values of the positions seen so far, per layer; tensors are [1, H, T, D].</summary>
public abstract class KvCache : IDisposable
{
    /// <summary>Stores a prompt's keys and values at positions 0..T-1.</summary>
    public abstract void Store(int layer, Tensor keys, Tensor values);

    /// <summary>Adds one position's key and value; returns all keys and values to attend to.</summary>
    public abstract (Tensor Keys, Tensor Values) Append(int layer, Tensor key, Tensor value, Tensor position);

    /// <summary>Which of the returned keys a step at <paramref name="position"/> may attend to (null: all).</summary>
    public abstract Tensor? AttentionMask(Tensor position);

    public abstract void Dispose();
}

/// <summary>
/// Preallocated [layers, 2, heads, max_ctx, head_dim], written in place at a position tensor: the
/// same tensors every step, so a decode step over it can be captured into a CUDA graph. A step
/// attends over all max_ctx slots, masking those after its position.
/// </summary>
public sealed class StaticKvCache : KvCache
{
    readonly Tensor data, slots;
    readonly Tensor[] keys, values, keys4, values4; // per layer: [H, max_ctx, D] and its [1, H, max_ctx, D] view

    public StaticKvCache(Gpt2Config config, ScalarType dtype, Device device, int maxContext)
    {
        data = zeros([config.NLayer, 2, config.NHead, maxContext, config.HeadDim], dtype, device);
        slots = arange(maxContext, ScalarType.Int64, device).view(1, 1, 1, maxContext); // broadcasts over [1, H, 1, max_ctx] scores
        keys = Enumerable.Range(0, config.NLayer).Select(l => data[l, 0]).ToArray();
        values = Enumerable.Range(0, config.NLayer).Select(l => data[l, 1]).ToArray();
        keys4 = keys.Select(k => k.unsqueeze(0)).ToArray();
        values4 = values.Select(v => v.unsqueeze(0)).ToArray();
        foreach (var t in Owned())
            t.DetachFromDisposeScope(); // the cache lives as long as its engine, whatever scope built it
    }

    IEnumerable<Tensor> Owned() => keys.Concat(values).Concat(keys4).Concat(values4).Append(slots).Append(data);

    public long Bytes => data.NumberOfElements * data.ElementSize;

    /// <summary>The whole cache, [layers, 2, heads, max_ctx, head_dim], for kernels that read it directly.</summary>
    public Tensor Data => data;

    public override void Store(int layer, Tensor keys, Tensor values)
    {
        var T = keys.shape[2];
        this.keys[layer].narrow(1, 0, T).copy_(keys[0]);
        this.values[layer].narrow(1, 0, T).copy_(values[0]);
    }

    public override (Tensor Keys, Tensor Values) Append(int layer, Tensor key, Tensor value, Tensor position)
    {
        keys[layer].index_copy_(1, position, key[0]);
        values[layer].index_copy_(1, position, value[0]);
        return (keys4[layer], values4[layer]);
    }

    public override Tensor AttentionMask(Tensor position) => slots.le(position);

    public override void Dispose()
    {
        foreach (var t in Owned())
            t.Dispose();
    }
}

/// <summary>
/// Grows by concatenation: every step allocates new, longer tensors and copies the old ones
/// (how a plain HF-style generate loop behaves). The baseline the static cache is measured against.
/// </summary>
public sealed class EagerKvCache(int layers) : KvCache
{
    readonly Tensor?[] keys = new Tensor?[layers], values = new Tensor?[layers];

    public override void Store(int layer, Tensor keys, Tensor values)
    {
        Replace(this.keys, layer, keys.contiguous());
        Replace(this.values, layer, values.contiguous());
    }

    public override (Tensor Keys, Tensor Values) Append(int layer, Tensor key, Tensor value, Tensor position)
    {
        var grownKeys = cat([keys[layer] ?? throw new InvalidOperationException("decode before prefill"), key], 2);
        Replace(keys, layer, grownKeys);
        Replace(values, layer, cat([values[layer]!, value], 2));
        return (keys[layer]!, values[layer]!);
    }

    public override Tensor? AttentionMask(Tensor position) => null;

    // The cache owns its tensors beyond the caller's dispose scope.
    static void Replace(Tensor?[] slots, int layer, Tensor tensor)
    {
        slots[layer]?.Dispose();
        slots[layer] = tensor.DetachFromDisposeScope();
    }

    public override void Dispose()
    {
        foreach (var t in keys.Concat(values))
            t?.Dispose();
    }
}
