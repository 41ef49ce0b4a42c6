using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GptBench.Orchestrator.Hosting;

/// <summary>What every gptbench host shares: only warnings and errors are logged, one line each (progress has its own output).</summary>
public static class NodeHosting
{
    public static HostApplicationBuilder NewBuilder()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        return builder;
    }

    public static AkkaConfigurationBuilder WithWarningLogs(this AkkaConfigurationBuilder akka) =>
        akka.ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel);
}
