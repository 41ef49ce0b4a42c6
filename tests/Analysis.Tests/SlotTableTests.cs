using GptBench.Analysis.Cli;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tests;

/// <summary>`results slots`: a run with one worker on a GPU, then one with two workers sharing it.</summary>
public class SlotTableTests : IDisposable
{
    readonly TestStore store = new();

    public SlotTableTests()
    {
        var gpu0 = TestStore.H100;
        gpu0.GpuUuid = "GPU-0a1b2c3d-0000-1111-2222-333344445555";
        gpu0.VisibleDevices = "0";
        gpu0.GpuCount = 1;
        TrialDoc On(string slot, int input)
        {
            var trial = TestStore.Trial("gpt2", "graph", input, 32);
            trial.Worker = slot;
            return trial;
        }
        IReadOnlyList<SampleDoc> Samples(double ttft) => [TestStore.Sample(ttft, [1, 1]), TestStore.Sample(ttft + 1, [1, 1])];
        store.AddSweep("one-worker", TestStore.Start, gpu0, [(On("gpu0", 16), Samples(5)), (On("gpu0", 48), Samples(9))]);
        store.AddSweep("two-workers", TestStore.Start.AddHours(2), gpu0,
            [(On("gpu0.1", 16), Samples(7)), (On("gpu0", 16), Samples(6)), (On("gpu0", 48), Samples(10)), (On("gpu0", 48), [])]);
    }

    public void Dispose() => store.Dispose();

    [Fact]
    public void Each_point_lists_every_slot_that_ran_it_with_its_gpu_and_each_slot_totals_its_trials()
    {
        var rows = Csv.Read(Results("--format", "csv"));
        Assert.Equal(
            [
                ("16", "one-worker", "gpu0", "1", "2", "5.5"), ("16", "two-workers", "gpu0", "1", "2", "6.5"),
                ("16", "two-workers", "gpu0.1", "1", "2", "7.5"),
                ("48", "one-worker", "gpu0", "1", "2", "9.5"), ("48", "two-workers", "gpu0", "1", "2", "10.5"),
            ],
            rows.Select(r => (r["input_tokens"], r["sweep_id"], r["slot"], r["trials"], r["samples"], r["ttft_median_ms"])));
        Assert.All(rows, r => Assert.Equal(("GPU-0a1b2c3d-0000-1111-2222-333344445555", "0", "1", "1000"),
            (r["gpu_uuid"], r["visible_devices"], r["gpus_seen"], r["tps_median"])));

        var table = Results("--sweep", "two-workers");
        Assert.Contains("sweep two-workers, gpu0 on gpu-box-1 (GPU-0a1b2c3d-0000-1111-2222-333344445555): 2 trials, 4 samples", table);
        Assert.Contains("sweep two-workers, gpu0.1 on gpu-box-1 (GPU-0a1b2c3d-0000-1111-2222-333344445555): 1 trials, 2 samples", table);
        Assert.DoesNotContain("one-worker", table);
    }

    string Results(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = AnalysisVerbs.Results(["slots", "--db", store.DbPath, .. args], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        return stdout.ToString();
    }
}
