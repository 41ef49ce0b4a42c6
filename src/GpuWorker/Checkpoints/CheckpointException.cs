namespace GptBench.GpuWorker.Checkpoints;

/// <summary>A checkpoint that cannot be used: the message names the file and, where one is at fault, the tensor.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string file, string? tensor, string problem, Exception? inner = null)
        : base(tensor is null ? $"{file}: {problem}" : $"{file}: tensor '{tensor}': {problem}", inner)
    {
        File = file;
        Tensor = tensor;
    }

    public string File { get; }

    public string? Tensor { get; }
}
