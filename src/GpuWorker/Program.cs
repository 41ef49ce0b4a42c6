// The engine process (DESIGN.md, "Engine process protocol"): the orchestrator starts one per
// (model, engine, dtype, device) group and talks JSON lines over stdin/stdout.
//
// stdout carries protocol lines only. The real stdout is kept for them, and file descriptor 1 is then
// pointed at stderr, so whatever else writes there (TorchSharp's loader, native libraries) ends up
// in the log the orchestrator captures instead of corrupting the protocol.
//
// For a CUDA libtorch the orchestrator sets LD_LIBRARY_PATH to its folder (see Native/TorchRuntime.cs);
// GPTBENCH_LIBTORCH names that folder explicitly.
//
// Test hook: GPTBENCH_FAULT=crash-on-trial|hang-on-trial|garbage-on-trial[:N] makes the process misbehave
// when a trial (of N input tokens) arrives (Host/Fault.cs), for the orchestrator's failure-handling tests.
using System.Runtime.InteropServices;
using System.Text;
using GptBench.GpuWorker.Host;
using GptBench.GpuWorker.Checkpoints;
using GptBench.GpuWorker.Generate;
using GptBench.GpuWorker.Kernels.Checks;
using Microsoft.Win32.SafeHandles;

// Two commands for people rather than the orchestrator; their output is meant for the terminal.
switch (args.FirstOrDefault())
{
    case "generate":
        return GenerateCommand.Run(args[1..]);
    case "check-golden":
        return GoldenCheckCommand.Run(args[1..]);
    case "check-kernels":
        return KernelChecks.Run(args[1..], Console.Out, Console.Error);
}

Fault fault;
try
{
    fault = Fault.FromEnvironment();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var protocolFd = Dup(1);
if (protocolFd < 0 || Dup2(2, 1) < 0)
{
    Console.Error.WriteLine($"cannot separate the protocol stream from other output (errno {Marshal.GetLastPInvokeError()})");
    return 1;
}
using var protocol = new StreamWriter(new FileStream(new SafeFileHandle(protocolFd, ownsHandle: true), FileAccess.Write), new UTF8Encoding(false))
{
    AutoFlush = true,
    NewLine = "\n",
};
Console.SetOut(Console.Error);
using var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
using var host = new EngineHost(input, protocol, fault);
return host.Run();

[DllImport("libc", EntryPoint = "dup", SetLastError = true)]
static extern int Dup(int fd);

[DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
static extern int Dup2(int from, int to);
