namespace GptBench.CommandLine;

/// <summary>Bad arguments: the verb prints the message (with its usage hint) and exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);
