using System.Globalization;
using System.Numerics;

namespace GptBench.GpuWorker.Host;

/// <summary>A whole number read from an environment variable that tunes an engine: its default where unset.</summary>
public static class WholeNumberSetting
{
    /// <summary>
    /// <paramref name="value"/> (the environment's <paramref name="variable"/>) as a whole number from <paramref name="min"/>
    /// to <paramref name="max"/>, or <paramref name="fallback"/> where it is unset or empty; anything else is an error
    /// naming the variable, what it <paramref name="must"/> be, and the value.
    /// </summary>
    public static T Parse<T>(string variable, string? value, T fallback, T min, T max, string must) where T : IBinaryInteger<T>
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (T.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max) return number;
        throw new ArgumentException($"{variable} must be {must}, got '{value}'");
    }
}
