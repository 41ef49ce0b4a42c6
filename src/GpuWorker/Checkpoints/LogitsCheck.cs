using static TorchSharp.torch;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>
/// Our logits against HF's fp32 logits, the truth. <see cref="Error"/> is the relative L2 error of a row,
/// ‖ours − fp32‖ / ‖fp32‖, the largest over the rows. An fp32 model must stay within 1e-4. A half-precision one
/// within 1e-2; or, where HF's own bf16 logits (<see cref="HfBf16Error"/>, same measure, from the golden file) are
/// already 1e-2 or more from its fp32 ones, within 1.25x HF's own error: no bf16 implementation can be asked to be
/// closer to the truth than HF's bf16 is on the same weights, and 1.25x leaves room for a different summation order.
/// </summary>
public sealed record LogitsCheck(string Precision, double Error, double? HfBf16Error, double Bound, bool BoundByHf)
{
    public const double Fp32Tolerance = 1e-4;
    public const double HalfTolerance = 1e-2;
    public const double HfBf16Allowance = 1.25;

    public bool Passed => Error <= Bound;

    /// <param name="dtype">The model's dtype: fp32 is held to <see cref="Fp32Tolerance"/>, any other to the half rule.</param>
    /// <param name="ours">Our logits rows.</param>
    /// <param name="fp32">HF's fp32 logits at the same positions.</param>
    /// <param name="hfBf16">HF's bf16 logits at the same positions, where the golden file has them.</param>
    public static LogitsCheck Measure(ScalarType dtype, IReadOnlyList<float[]> ours, IReadOnlyList<float[]> fp32, IReadOnlyList<float[]>? hfBf16)
    {
        var error = MaxRelativeL2(ours, fp32);
        if (dtype == ScalarType.Float32)
            return new("fp32", error, null, Fp32Tolerance, BoundByHf: false);
        var precision = dtype == ScalarType.Float16 ? "fp16" : "bf16";
        var hfError = hfBf16 is null ? (double?)null : MaxRelativeL2(hfBf16, fp32);
        return hfError >= HalfTolerance
            ? new(precision, error, hfError, HfBf16Allowance * hfError.Value, BoundByHf: true)
            : new(precision, error, hfError, HalfTolerance, BoundByHf: false);
    }

    /// <summary>‖ours − reference‖ / ‖reference‖ of each row, the largest over the rows.</summary>
    public static double MaxRelativeL2(IReadOnlyList<float[]> ours, IReadOnlyList<float[]> reference)
    {
        if (ours.Count != reference.Count)
            throw new ArgumentException($"{ours.Count} rows against {reference.Count} reference rows");
        return ours.Zip(reference, RelativeL2).DefaultIfEmpty(0).Max();
    }

    /// <summary>‖ours − reference‖ / ‖reference‖ of one row.</summary>
    public static double RelativeL2(float[] ours, float[] reference)
    {
        if (ours.Length != reference.Length)
            throw new ArgumentException($"a row of {ours.Length} logits against a reference row of {reference.Length}");
        double difference = 0, norm = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            difference += Math.Pow(ours[i] - (double)reference[i], 2);
            norm += Math.Pow(reference[i], 2);
        }
        return Math.Sqrt(difference / norm);
    }

    public override string ToString()
    {
        if (Precision == "fp32")
            return $"fp32 logits vs HF fp32 {Error:E1} (bound {Bound:E0})";
        var hf = HfBf16Error is { } hfError ? $"HF bf16 vs HF fp32: {hfError:E1}" : "no HF bf16 logits in the golden file";
        var bound = BoundByHf ? $"bound {Bound:E1} = {HfBf16Allowance}x HF's own" : $"bound {Bound:E0} = half-precision tolerance";
        return $"{Precision} logits vs HF fp32 {Error:E1} ({hf}; {bound})";
    }
}
