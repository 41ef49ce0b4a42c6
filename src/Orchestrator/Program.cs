using GptBench.Analysis.Cli;
using GptBench.CommandLine;
using GptBench.Orchestrator.Cli;
using GptBench.Orchestrator.Engines;
using GptBench.Orchestrator.Experiments;

// gptbench: the command line. Each verb parses its own flags; bad input exits 2 (DESIGN.md).
const string usage = """
    usage: gptbench VERB [ARGS]   (gptbench VERB --help for details)

      run FILE.yaml          run a sweep on this machine (resumes by default)
      serve --port P         the coordinator node of a cluster (stores results)
      worker --join HOST:P   a worker node: one worker per GPU, or CPU slots
      submit FILE.yaml --to HOST:P   hand a sweep to a coordinator and follow it
      results ...            query stored sweeps, trials and samples; export CSV/JSON
      report --sweep ID      HTML page + PNG/SVG plots of a sweep
      compare A B            compare two sweeps, flag regressions (exit 3 when any)
      generate --model M     one streamed generation (--help for its flags)
      check-golden DIR       check every engine against a golden file (docs/correctness.md)
      check-kernels [MODEL]  check and time each CUDA kernel against TorchSharp (GPU only; --help for its groups)
    """;

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine(usage);
    return args.Length == 0 ? ExitCodes.BadInput : ExitCodes.Success;
}

var verb = args[0];
var rest = args[1..];
try
{
    return verb switch
    {
        "run" when rest.Any(ParsedCommand.IsHelp) => PrintHelp(RunCommand.Help),
        "run" => await RunCommand.RunAsync(rest),
        "serve" when rest.Any(ParsedCommand.IsHelp) => PrintHelp(ClusterCommands.ServeHelp),
        "serve" => await ClusterCommands.ServeAsync(rest),
        "worker" when rest.Any(ParsedCommand.IsHelp) => PrintHelp(ClusterCommands.WorkerHelp),
        "worker" => await ClusterCommands.WorkerAsync(rest),
        "submit" when rest.Any(ParsedCommand.IsHelp) => PrintHelp(ClusterCommands.SubmitHelp),
        "submit" => await ClusterCommands.SubmitAsync(rest),
        "results" => AnalysisVerbs.Results(rest, Console.Out, Console.Error),
        "report" => AnalysisVerbs.Report(rest, Console.Out, Console.Error),
        "compare" => AnalysisVerbs.Compare(rest, Console.Out, Console.Error),
        "generate" or "check-golden" or "check-kernels" => EngineCommand.Forward(verb, rest),
        _ => throw new UsageException($"unknown verb '{verb}'\n{usage}"),
    };
}
catch (ExperimentException e)
{
    Console.Error.WriteLine(e.Message);
    return ExitCodes.BadInput;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"gptbench {verb}: {e.Message}");
    return ExitCodes.BadInput;
}

static int PrintHelp(string text)
{
    Console.WriteLine(text);
    return ExitCodes.Success;
}
