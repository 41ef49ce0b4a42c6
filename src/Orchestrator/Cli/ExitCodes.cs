namespace GptBench.Orchestrator.Cli;

/// <summary>DESIGN.md: 0 success, 2 bad input (file, flag, YAML), 1 anything else.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
}
