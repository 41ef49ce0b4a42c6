using System.Security.Cryptography;
using System.Text;

namespace GptBench.Orchestrator.Sweeps;

public static class ContentHash
{
    /// <summary>First 16 hex digits of the SHA-256 of the text.</summary>
    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
