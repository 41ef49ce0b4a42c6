using System.Text.Json.Nodes;
using GptBench.GpuWorker.Checkpoints;
using GptBench.GpuWorker.Native;
using static TorchSharp.torch;

namespace GptBench.GpuWorker.Tests.Checkpoints;

public class SafetensorsTests : IDisposable
{
    readonly TempFolder folder = new();
    readonly string path;

    public SafetensorsTests()
    {
        TorchRuntime.Initialize();
        path = folder.File("model.safetensors");
        using var a = arange(12, ScalarType.Float32).reshape(3, 4);
        using var b = linspace(-1, 1, 6).to(ScalarType.Float16);
        using var c = tensor(new float[] { 1.5f, -2.25f }).to(ScalarType.BFloat16);
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["a"] = a, ["b.half"] = b, ["c.brain"] = c });
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Round_trip_keeps_names_dtypes_shapes_and_values()
    {
        using var file = SafetensorsFile.Open(path);

        Assert.Equal(["a", "b.half", "c.brain"], file.Entries.Keys.Order());
        Assert.Equal("pt", file.Metadata["format"]);
        using var a = file.ReadTensor("a");
        using var b = file.ReadTensor("b.half");
        using var c = file.ReadTensor("c.brain");
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal([3L, 4L], a.shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), a.data<float>().ToArray());
        Assert.Equal(ScalarType.Float16, b.dtype);
        Assert.Equal([-1f, -0.6f, -0.2f, 0.2f, 0.6f, 1f], b.to(ScalarType.Float32).data<float>().ToArray(), new ToleranceComparer(1e-3f));
        Assert.Equal(ScalarType.BFloat16, c.dtype);
        Assert.Equal([1.5f, -2.25f], c.to(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void Writer_is_deterministic_and_aligns_the_data_section()
    {
        var again = folder.File("again.safetensors");
        using (var file = SafetensorsFile.Open(path))
            SafetensorsWriter.Write(again, file.Entries.Keys.ToDictionary(name => name, file.ReadTensor));

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(bytes, File.ReadAllBytes(again));
        Assert.Equal(0L, (8 + BitConverter.ToInt64(bytes, 0)) % 8);
    }

    [Fact]
    public void Truncated_file_names_the_tensor_cut_off()
    {
        SafetensorsSurgery.Truncate(path, 2);
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Equal("c.brain", error.Tensor);
        Assert.Contains("truncated", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void File_shorter_than_the_length_prefix_is_rejected()
    {
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void Header_length_past_the_end_is_rejected()
    {
        SafetensorsSurgery.WriteRaw(path, "{}"u8.ToArray(), []);
        var bytes = File.ReadAllBytes(path);
        bytes[0] = 200;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("runs past the end", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void Huge_header_length_is_rejected_before_allocating()
    {
        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), long.MaxValue);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("limit", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void Header_that_is_not_json_is_rejected()
    {
        SafetensorsSurgery.WriteRaw(path, "{\"a\": [1,"u8.ToArray(), new byte[48]);
        Assert.Contains("not valid JSON", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void Offsets_outside_the_data_section_name_the_tensor()
    {
        SafetensorsSurgery.EditHeader(path, header => SafetensorsSurgery.SetOffsets(header, "b.half", 48, 4048 + 48));
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Equal("b.half", error.Tensor);
    }

    [Fact]
    public void Byte_count_that_disagrees_with_the_shape_names_the_tensor()
    {
        SafetensorsSurgery.EditHeader(path, header => header["a"]!["shape"] = new JsonArray(3, 5));
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Equal("a", error.Tensor);
        Assert.Contains("needs 60 bytes", error.Message);
    }

    [Fact]
    public void Overlapping_tensors_are_rejected()
    {
        // a holds bytes [0, 48); b (12 bytes) is moved to overlap a's end.
        SafetensorsSurgery.EditHeader(path, header => SafetensorsSurgery.SetOffsets(header, "b.half", 40, 52));
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Equal("b.half", error.Tensor);
        Assert.Contains("overlap", error.Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_last_tensor_are_rejected()
    {
        File.AppendAllText(path, "junk");
        Assert.Contains("trailing", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void Unknown_dtype_names_the_tensor()
    {
        SafetensorsSurgery.EditHeader(path, header => header["c.brain"]!["dtype"] = "Q4_K");
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Equal("c.brain", error.Tensor);
        Assert.Contains("unknown dtype 'Q4_K'", error.Message);
    }

    [Fact]
    public void Valid_but_unsupported_dtype_is_refused_when_read()
    {
        // 12 floats as 6 doubles: the layout is valid, the dtype is not one a GPT-2 checkpoint uses.
        SafetensorsSurgery.EditHeader(path, header =>
        {
            header["a"]!["dtype"] = "F64";
            header["a"]!["shape"] = new JsonArray(6);
        });
        using var file = SafetensorsFile.Open(path);
        var error = Assert.Throws<CheckpointException>(() => file.ReadTensor("a"));
        Assert.Equal("a", error.Tensor);
        Assert.Contains("F64 is not supported", error.Message);
    }

    [Fact]
    public void Reading_a_tensor_the_file_lacks_names_it()
    {
        using var file = SafetensorsFile.Open(path);
        Assert.Equal("nope", Assert.Throws<CheckpointException>(() => file.ReadTensor("nope")).Tensor);
    }

    sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float value) => 0;
    }
}
