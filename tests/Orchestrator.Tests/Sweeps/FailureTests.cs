using GptBench.Analysis.Store;

namespace GptBench.Orchestrator.Tests.Sweeps;

/// <summary>
/// An engine that crashes, hangs or writes garbage fails only its trial (cause stored, bounded
/// retries) and the sweep goes on. GPTBENCH_FAULT makes the real engine misbehave on purpose for
/// trials of one input length.
/// </summary>
public class FailureTests
{
    const string File = """
        name: faults
        models: [tiny]
        engines: [static]
        dtype: fp32
        device: cpu
        sampling: {greedy: true}
        warmup: 0
        repeats: 1
        seed: 7
        timeout_s: 10
        matrix:
          input_tokens: [8, 16, 24]
          output_tokens: [4]
        """;

    [Theory]
    [InlineData("crash", "exited with code")]
    [InlineData("hang", "hung")]
    [InlineData("garbage", "malformed protocol line")]
    public void Faulty_trial_fails_alone_with_its_cause_and_the_sweep_goes_on(string fault, string cause)
    {
        using var dir = new TempFolder();
        var file = dir.Write("faults.yaml", File);
        var env = new Dictionary<string, string> { ["GPTBENCH_FAULT"] = $"{fault}-on-trial:16" };
        var (code, output) = GptbenchProcess.Run(dir.Root, env, "run", file, "--db", "r.db", "--plain", "--max-attempts", "2");
        Assert.True(code == 1, output); // not every trial finished

        using var store = new ResultStore(System.IO.Path.Combine(dir.Root, "r.db"), readOnly: true);
        var trials = store.Trials.FindAll().ToDictionary(t => t.InputTokens);
        Assert.Equal(TrialStatus.Done, trials[8].Status);
        Assert.Equal(TrialStatus.Done, trials[24].Status);
        var bad = trials[16];
        Assert.Equal(TrialStatus.Failed, bad.Status);
        Assert.Equal(2, bad.Attempts);
        Assert.Contains(cause, bad.Error);
        Assert.Equal(2, store.Samples.Count());
    }
}
