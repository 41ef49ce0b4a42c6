using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>Writes tensors as a safetensors file that HF's loaders accept (metadata format "pt").</summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        // Names sorted, data packed in that order: the same tensors always give the same bytes.
        var ordered = tensors.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        var header = BuildHeader(ordered);

        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor) in ordered)
        {
            using var host = tensor.detach().cpu().contiguous();
            if (host.numel() > 0)
                stream.Write(host.bytes);
        }
    }

    static byte[] BuildHeader(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            json.WriteString("format", "pt");
            json.WriteEndObject();
            var offset = 0L;
            foreach (var (name, tensor) in tensors)
            {
                var byteCount = tensor.numel() * tensor.element_size();
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDtype.FromScalarType(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (var dimension in tensor.shape)
                    json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + byteCount);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += byteCount;
            }
            json.WriteEndObject();
        }

        // The format pads the header with spaces so that the data section starts 8-byte aligned.
        var padded = (buffer.Length + 7) / 8 * 8;
        while (buffer.Length < padded)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
