using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace GptBench.GpuWorker.Tests.Checkpoints;

/// <summary>Edits a safetensors file's bytes directly, to make the corrupt files a loader must reject.</summary>
static class SafetensorsSurgery
{
    /// <summary>Rewrites the JSON header through <paramref name="edit"/>, keeping the data section as it was.</summary>
    public static void EditHeader(string path, Action<JsonObject> edit)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        edit(header);
        WriteRaw(path, Encoding.UTF8.GetBytes(header.ToJsonString()), bytes[(8 + headerLength)..]);
    }

    /// <summary>An 8-byte length that is the header's own, then the header and data as given.</summary>
    public static void WriteRaw(string path, byte[] header, byte[] data)
    {
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        File.WriteAllBytes(path, [.. length, .. header, .. data]);
    }

    public static void Truncate(string path, int bytesRemoved)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^bytesRemoved]);
    }

    public static void SetOffsets(JsonObject header, string tensor, long begin, long end) =>
        header[tensor]!["data_offsets"] = new JsonArray(begin, end);
}
