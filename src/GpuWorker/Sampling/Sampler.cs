using GptBench.GpuWorker.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Sampling;

/// <summary>
/// Picks the next token on the device, with no host synchronization, so a decode step that samples can
/// be captured into a CUDA graph. Greedy: argmax. Otherwise: logits / T, keep the top k, softmax, then
/// the exponential race argmax(p / E) with E ~ Exp(1), which draws index i with probability p_i.
/// E = -log(U) comes from a counter-based hash of (seed, counter, token index) computed with tensor ops:
/// torch's generators keep their state on the host and are not safe to capture into a graph we launch
/// ourselves, while a hash of device tensors is, and gives the same draws on every device and engine.
/// Every constant is a Scalar the sampler holds until disposed, none converted implicitly per call: TorchSharp frees an
/// implicit Scalar when the garbage collector finalizes it, and one freed during the op that reads it turned a test's
/// `add_(0.5)` into libtorch's "Expected false to be true" from Scalar::toDouble (CI, 2026-12-06).
/// </summary>
public sealed class Sampler : IDisposable
{
    const long Mask32 = 0xFFFFFFFF;
    public SamplingSpec Spec { get; }
    readonly int vocabSize;
    readonly Tensor mask32, shift8, shift13, shift16, indexKeys;
    readonly Scalar temperature, minusInfinity, counterMultiplier, half, unitStep, mixMultiplier1, mixMultiplier2;

    public Sampler(SamplingSpec spec, int vocabSize, Device device)
    {
        if (!spec.Greedy && !(spec.Temperature > 0 && double.IsFinite(spec.Temperature)))
            throw new ArgumentException($"sampling temperature must be a positive number, got {spec.Temperature}");
        if (spec.TopK < 0)
            throw new ArgumentException($"top-k must be 0 (off) or positive, got {spec.TopK}");
        Spec = spec;
        this.vocabSize = vocabSize;
        mask32 = tensor(Mask32, device: device).DetachFromDisposeScope();
        shift8 = tensor(8L, device: device).DetachFromDisposeScope();
        shift13 = tensor(13L, device: device).DetachFromDisposeScope();
        shift16 = tensor(16L, device: device).DetachFromDisposeScope();
        temperature = spec.Temperature.ToScalar();
        minusInfinity = double.NegativeInfinity.ToScalar();
        counterMultiplier = 0x85EBCA77L.ToScalar();
        half = 0.5.ToScalar();
        unitStep = (1.0 / (1 << 24)).ToScalar();
        mixMultiplier1 = 0x85EBCA6BL.ToScalar();
        mixMultiplier2 = 0xC2B2AE35L.ToScalar();
        using var index = arange(vocabSize, ScalarType.Int64, device);
        using var golden = 0x9E3779B1L.ToScalar();
        indexKeys = index.mul(golden).bitwise_and_(mask32).DetachFromDisposeScope(); // a bijection on 32-bit values
    }

    /// <summary>The value to put in the seed tensor for a request's seed.</summary>
    public static long SeedValue(long seed) => (seed ^ (seed >>> 32)) & Mask32;

    /// <summary>
    /// logits [V] -> token id [1] (int64, on the device). <paramref name="seed"/> [1] holds <see cref="SeedValue"/>;
    /// <paramref name="counter"/> [1] tells draws of one request apart (the engines pass the position of the input token).
    /// </summary>
    public Tensor Sample(Tensor logits, Tensor seed, Tensor counter)
    {
        if (Spec.Greedy)
            return logits.argmax(0, keepdim: true);
        var scaled = logits.to(ScalarType.Float32).div(temperature); // not in place: to() may alias the caller's logits
        if (Spec.TopK > 0 && Spec.TopK < vocabSize)
        {
            var (top, _) = scaled.topk(Spec.TopK);
            scaled = scaled.masked_fill(scaled.lt(top.narrow(0, Spec.TopK - 1, 1)), minusInfinity);
        }
        return scaled.softmax(0).div_(ExponentialNoise(seed, counter)).argmax(0, keepdim: true);
    }

    /// <summary>E [V] ~ Exp(1), independent across token indices, a pure function of (seed, counter).</summary>
    internal Tensor ExponentialNoise(Tensor seed, Tensor counter)
    {
        var key = Mix(Mix(seed.bitwise_xor(counter.mul(counterMultiplier)).bitwise_and_(mask32)).add_(counter).bitwise_and_(mask32));
        var bits = Mix(indexKeys.bitwise_xor(key));
        // 24 random bits -> U in (0, 1), never 0 or 1, so -log(U) is finite and positive.
        return bits.bitwise_right_shift_(shift8).to(ScalarType.Float32).add_(half).mul_(unitStep).log_().neg_();
    }

    // murmur3's 32-bit finalizer on int64 tensors holding 32-bit values (in place).
    Tensor Mix(Tensor x)
    {
        x.bitwise_xor_(x.bitwise_right_shift(shift16));
        x.mul_(mixMultiplier1).bitwise_and_(mask32);
        x.bitwise_xor_(x.bitwise_right_shift(shift13));
        x.mul_(mixMultiplier2).bitwise_and_(mask32);
        return x.bitwise_xor_(x.bitwise_right_shift(shift16));
    }

    public void Dispose()
    {
        foreach (var t in new[] { mask32, shift8, shift13, shift16, indexKeys })
            t.Dispose();
        foreach (var s in new[] { temperature, minusInfinity, counterMultiplier, half, unitStep, mixMultiplier1, mixMultiplier2 })
            s.Dispose();
    }
}
