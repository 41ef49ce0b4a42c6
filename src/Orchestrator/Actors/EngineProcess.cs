using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Engines;
using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Actors;

// Messages of the engine-process actor. Its parent (a TrialWorker) sends StartTrial, one at a time.
public sealed record StartTrial(TrialSpec Trial);
public sealed record EngineTrialSucceeded(string TrialHash, IReadOnlyList<Sample> Samples, EnvironmentInfo Environment);
public sealed record EngineTrialFailed(string TrialHash, string Cause);

/// <summary>
/// Owns one engine child process (one model/engine/dtype/device group) and speaks the JSON-lines
/// protocol with it. Any crash, hang past the trial's timeout or malformed line fails the trial in
/// flight and stops this actor, which kills the process; the worker starts a fresh one.
/// </summary>
public sealed class EngineProcess : ReceiveActor, IWithTimers
{
    sealed record StdoutLine(string Text);
    sealed record StderrLine(string Text);
    sealed record Exited(int Code);
    sealed record TrialTimedOut(string TrialHash);

    const int StderrLinesKept = 40;
    readonly EngineLaunch launch;
    readonly ILoggingAdapter log = Context.GetLogger();
    readonly Queue<string> stderrTail = new();
    readonly List<Sample> samples = [];
    Process? process;
    EnvironmentInfo? environment;
    bool loaded;
    TrialSpec? trial;

    public ITimerScheduler Timers { get; set; } = null!;

    public EngineProcess(EngineLaunch launch)
    {
        this.launch = launch;
        Receive<StartTrial>(OnStartTrial);
        Receive<StdoutLine>(line => OnLine(line.Text));
        Receive<StderrLine>(line =>
        {
            stderrTail.Enqueue(line.Text);
            if (stderrTail.Count > StderrLinesKept) stderrTail.Dequeue();
        });
        Receive<Exited>(exited => Fail($"engine process exited with code {exited.Code}{StderrTail()}"));
        Receive<TrialTimedOut>(t =>
        {
            if (trial?.Hash == t.TrialHash)
                Fail($"engine process hung: no result within the trial timeout of {trial.Timeout.TotalSeconds:0}s{StderrTail()}");
        });
    }

    protected override void PreStart()
    {
        try
        {
            process = Process.Start(launch.StartInfo) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Exception e)
        {
            // Nothing to talk to: the first trial fails with this cause.
            Self.Tell(new Exited(-1));
            stderrTail.Enqueue($"could not start {launch.StartInfo.FileName}: {e.Message}");
            return;
        }
        Pump(process.StandardOutput, text => new StdoutLine(text), endsProcess: true);
        Pump(process.StandardError, text => new StderrLine(text), endsProcess: false);
    }

    /// <summary>Forwards a pipe's lines to this actor as messages; the end of stdout means the process is gone.</summary>
    void Pump(StreamReader reader, Func<string, object> wrap, bool endsProcess)
    {
        var self = Self;
        var proc = process!;
        _ = Task.Run(async () =>
        {
            try
            {
                while (await reader.ReadLineAsync() is { } line) self.Tell(wrap(line));
            }
            catch (Exception) { /* the pipe broke: the exit below reports it */ }
            if (!endsProcess) return;
            await proc.WaitForExitAsync();
            self.Tell(new Exited(proc.ExitCode));
        });
    }

    void OnStartTrial(StartTrial start)
    {
        trial = start.Trial;
        samples.Clear();
        Timers.StartSingleTimer("timeout", new TrialTimedOut(trial.Hash), trial.Timeout);
        if (loaded) Send(ToRunTrial(trial));
    }

    void OnLine(string text)
    {
        Message message;
        try
        {
            message = JsonLines.Decode(text);
        }
        catch (ProtocolException e)
        {
            Fail(e.Message);
            return;
        }
        switch (message)
        {
            case Hello hello:
                environment = hello.Environment;
                Send(new Load(launch.Model, launch.Engine, launch.Dtype, launch.Device));
                break;
            case Loaded l:
                loaded = true;
                log.Info("engine {0} loaded in {1:0} ms", launch.Describe(), l.LoadMs);
                if (trial is not null) Send(ToRunTrial(trial));
                break;
            case Sample sample when trial is not null && sample.TrialId == trial.Hash:
                samples.Add(sample);
                break;
            case TrialDone done when trial is not null && done.TrialId == trial.Hash:
                if (samples.Count != trial.Repeats)
                {
                    Fail($"engine reported {samples.Count} samples, expected {trial.Repeats}");
                    return;
                }
                Timers.Cancel("timeout");
                Context.Parent.Tell(new EngineTrialSucceeded(trial.Hash, samples.ToList(), environment!));
                trial = null;
                break;
            case GpuWorker.Protocol.Failure failure:
                Fail($"engine error: {failure.Message}{StderrTail()}");
                break;
            default:
                Fail($"unexpected protocol message '{text}' in this state");
                break;
        }
    }

    void Send(Message message)
    {
        try
        {
            process!.StandardInput.WriteLine(JsonLines.Encode(message));
            process.StandardInput.Flush();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            Fail($"could not write to the engine process: {e.Message}{StderrTail()}");
        }
    }

    /// <summary>Fails the trial in flight (if any) and stops: the process is not trusted after a failure.</summary>
    void Fail(string cause)
    {
        if (trial is not null)
        {
            Context.Parent.Tell(new EngineTrialFailed(trial.Hash, cause));
            trial = null;
        }
        else
        {
            log.Warning("engine {0} failed between trials: {1}", launch.Describe(), cause);
        }
        Context.Stop(Self);
    }

    string StderrTail() => stderrTail.Count == 0 ? "" : "\n--- engine stderr (last lines) ---\n" + string.Join('\n', stderrTail);

    static RunTrial ToRunTrial(TrialSpec t) =>
        new(t.Hash, t.InputTokens, t.OutputTokens, t.Sampling, t.Warmup, t.Repeats, t.Seed, t.PromptFile);

    protected override void PostStop()
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                // A healthy engine leaves on bye; anything else is killed.
                try { process.StandardInput.WriteLine(JsonLines.Encode(new Bye())); process.StandardInput.Flush(); } catch (IOException) { }
                if (!process.WaitForExit(TimeSpan.FromSeconds(3))) process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException) { /* already gone */ }
        process.Dispose();
    }
}
