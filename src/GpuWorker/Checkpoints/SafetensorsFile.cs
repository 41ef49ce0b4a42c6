using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Checkpoints;

/// <summary>One tensor's place in a safetensors file; offsets count from the start of the data section.</summary>
public sealed record SafetensorsEntry(string Name, string Dtype, long[] Shape, long Begin, long End)
{
    public long ByteCount => End - Begin;
}

/// <summary>
/// A safetensors file (8-byte little-endian header length, JSON header, data section), opened with its whole
/// layout validated: every tensor's bytes match its dtype and shape, lie inside the data section, and the tensors
/// tile the data section exactly. Tensors are read one at a time, so a checkpoint never sits in memory twice.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>The reference implementation's limit: a corrupt length must not make us allocate gigabytes.</summary>
    const long MaxHeaderBytes = 100_000_000;

    const string MetadataKey = "__metadata__";

    readonly SafeFileHandle _handle;
    readonly long _dataStart;

    SafetensorsFile(string path, SafeFileHandle handle, long dataStart,
        IReadOnlyDictionary<string, SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsFile Open(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path);
        }
        catch (IOException e)
        {
            throw new CheckpointException(path, null, $"cannot be opened: {e.Message}", e);
        }

        try
        {
            var fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
                throw new CheckpointException(path, null, $"is {fileLength} bytes long, too short for the 8-byte header length");

            Span<byte> lengthBytes = stackalloc byte[8];
            ReadExactly(path, null, handle, lengthBytes, 0);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > MaxHeaderBytes)
                throw new CheckpointException(path, null, $"header length {headerLength} is over the {MaxHeaderBytes}-byte limit");
            if (8 + (long)headerLength > fileLength)
                throw new CheckpointException(path, null, $"header length {headerLength} runs past the end of the file ({fileLength} bytes)");

            var header = new byte[headerLength];
            ReadExactly(path, null, handle, header, 8);
            var dataStart = 8 + (long)headerLength;
            var (entries, metadata) = ParseHeader(path, header);
            CheckLayout(path, entries.Values, fileLength - dataStart);
            return new SafetensorsFile(path, handle, dataStart, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The named tensor on the CPU, in the file's dtype.</summary>
    public Tensor ReadTensor(string name)
    {
        if (!Entries.TryGetValue(name, out var entry))
            throw new CheckpointException(Path, name, "is not in the file");
        if (!SafetensorsDtype.TryToScalarType(entry.Dtype, out var type))
            throw new CheckpointException(Path, name,
                $"dtype {entry.Dtype} is not supported (supported: {string.Join(", ", SafetensorsDtype.LoadableNames)})");
        if (entry.ByteCount > int.MaxValue)
            throw new CheckpointException(Path, name, $"is {entry.ByteCount} bytes, over the 2 GiB a single tensor may have here");

        var tensor = empty(entry.Shape, type);
        if (entry.ByteCount > 0)
            ReadExactly(Path, name, _handle, tensor.bytes, _dataStart + entry.Begin);
        return tensor;
    }

    public void Dispose() => _handle.Dispose();

    static (Dictionary<string, SafetensorsEntry>, Dictionary<string, string>) ParseHeader(string path, byte[] header)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, null, $"header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(path, null, "header is not a JSON object");

            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    metadata = ParseMetadata(path, property.Value);
                    continue;
                }
                if (entries.ContainsKey(property.Name))
                    throw new CheckpointException(path, property.Name, "appears twice in the header");
                entries[property.Name] = ParseEntry(path, property.Name, property.Value);
            }
            return (entries, metadata);
        }
    }

    static Dictionary<string, string> ParseMetadata(string path, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointException(path, null, $"{MetadataKey} is not an object");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointException(path, null, $"{MetadataKey}.{property.Name} is not a string");
            metadata[property.Name] = property.Value.GetString()!;
        }
        return metadata;
    }

    static SafetensorsEntry ParseEntry(string path, string name, JsonElement value)
    {
        CheckpointException Bad(string problem) => new(path, name, problem);

        if (value.ValueKind != JsonValueKind.Object)
            throw Bad("header entry is not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad("has no dtype string");
        var dtype = dtypeElement.GetString()!;
        if (!SafetensorsDtype.ByteSizes.TryGetValue(dtype, out var elementSize))
            throw Bad($"unknown dtype '{dtype}'");

        var shape = ReadNonNegativeIntegers(value, "shape") ?? throw Bad("has no shape list of non-negative integers");
        var offsets = ReadNonNegativeIntegers(value, "data_offsets");
        if (offsets is not { Length: 2 } || offsets[0] > offsets[1])
            throw Bad("data_offsets is not a pair [begin, end] with 0 <= begin <= end");

        long byteCount;
        try
        {
            byteCount = checked(shape.Aggregate(1L, (product, dimension) => product * dimension) * elementSize);
        }
        catch (OverflowException)
        {
            throw Bad($"shape [{string.Join(", ", shape)}] is too large to address");
        }
        if (byteCount != offsets[1] - offsets[0])
            throw Bad($"shape [{string.Join(", ", shape)}] of {dtype} needs {byteCount} bytes, "
                + $"but data_offsets [{offsets[0]}, {offsets[1]}] hold {offsets[1] - offsets[0]}");

        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    static long[]? ReadNonNegativeIntegers(JsonElement value, string property)
    {
        if (!value.TryGetProperty(property, out var list) || list.ValueKind != JsonValueKind.Array)
            return null;
        var numbers = new long[list.GetArrayLength()];
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number) || number < 0)
                return null;
            numbers[i++] = number;
        }
        return numbers;
    }

    /// <summary>The tensors must tile the data section: no byte outside it, none shared, none left over.</summary>
    static void CheckLayout(string path, IEnumerable<SafetensorsEntry> entries, long dataLength)
    {
        var expectedBegin = 0L;
        SafetensorsEntry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.End > dataLength)
                throw new CheckpointException(path, entry.Name,
                    $"data_offsets end {entry.End} lies past the data section ({dataLength} bytes): the file is truncated or corrupt");
            if (entry.Begin < expectedBegin)
                throw new CheckpointException(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            if (entry.Begin > expectedBegin)
                throw new CheckpointException(path, entry.Name,
                    $"data_offsets begin {entry.Begin} leaves a gap after byte {expectedBegin} of the data section");
            expectedBegin = entry.End;
            previous = entry;
        }
        if (expectedBegin != dataLength)
            throw new CheckpointException(path, null,
                $"data section has {dataLength} bytes but the tensors cover {expectedBegin}: trailing bytes");
    }

    static void ReadExactly(string path, string? tensor, SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
                throw new CheckpointException(path, tensor, $"file ends at byte {offset}, before the data it declares");
            buffer = buffer[read..];
            offset += read;
        }
    }
}
