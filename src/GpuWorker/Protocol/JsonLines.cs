using System.Text.Json;
using System.Text.Json.Serialization;

namespace GptBench.GpuWorker.Protocol;

/// <summary>Reads and writes protocol messages, one JSON object a line.</summary>
public static class JsonLines
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static string Encode(Message message) => JsonSerializer.Serialize(message, Options);

    /// <summary>Parses one line; a line that is not a known message of this version throws <see cref="ProtocolException"/>.</summary>
    public static Message Decode(string line)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize<Message>(line, Options);
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"malformed protocol line ({e.Message}): {Truncate(line)}");
        }
        catch (NotSupportedException e)
        {
            throw new ProtocolException($"unknown protocol message ({e.Message}): {Truncate(line)}");
        }
        if (message is null)
            throw new ProtocolException($"empty protocol line: {Truncate(line)}");
        if (message.V != ProtocolVersion.Current)
            throw new ProtocolException($"protocol version {message.V}, expected {ProtocolVersion.Current}");
        return message;
    }

    static string Truncate(string line) => line.Length <= 200 ? line : line[..200] + "...";
}

public sealed class ProtocolException(string message) : Exception(message);
