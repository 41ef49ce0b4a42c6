using System.Text.RegularExpressions;
using GptBench.Analysis.Cli;
using GptBench.Analysis.Plots;
using GptBench.Analysis.Store;

namespace GptBench.Analysis.Tests;

public class ReportTests : IDisposable
{
    readonly TestStore store = new();

    public void Dispose() => store.Dispose();

    (int Code, string Stdout, string Stderr) Report(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = AnalysisVerbs.Report([.. args, "--db", store.DbPath], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void The_report_is_one_self_contained_page_with_environment_tables_and_embedded_figures()
    {
        SeedSweeps.Add(store, "seed-20250301", seed: 3, step: 320);
        var folder = Path.Combine(store.Folder, "report");

        var (code, stdout, stderr) = Report("--sweep", "seed", "--out", folder);

        Assert.True(code == 0, stderr);
        Assert.Contains("report.html", stdout);
        var html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("NVIDIA H100 80GB HBM3", html);
        Assert.Contains("580.159.04", html);
        Assert.Contains("<th>ttft_median_ms</th>", html);
        Assert.Contains("<th>itl_p99_ms</th>", html);
        Assert.Contains("<td>t000eager16x32</td>", html);
        Assert.Contains("Tukey fences", html);
        var images = Regex.Matches(html, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(3, images.Count);
        foreach (Match image in images)
            Assert.Equal((Figure.Width, Figure.Height), PlotTests.PngSize(Convert.FromBase64String(image.Groups[1].Value)));
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotContain("<script", html);
        foreach (var name in new[] { "ttft", "throughput", "inter-token" })
        {
            Assert.Equal((Figure.Width, Figure.Height), PlotTests.PngSize(File.ReadAllBytes(Path.Combine(folder, name + ".png"))));
            Assert.Equal((Figure.Width, Figure.Height), PlotTests.SvgSize(Path.Combine(folder, name + ".svg")));
        }
    }

    [Fact]
    public void Failed_trials_are_listed_with_their_error()
    {
        var failed = TestStore.Trial("gpt2", "graph", 16, 32);
        failed.Status = TrialStatus.Failed;
        failed.Error = "engine process exited with code 139";
        store.AddSweep("broken", TestStore.Start, TestStore.Laptop, [(TestStore.Trial("gpt2", "eager", 16, 32), [TestStore.Sample(5, [1])]), (failed, [])]);
        var folder = Path.Combine(store.Folder, "report");

        Assert.Equal(0, Report("--sweep", "latest", "--out", folder).Code);

        var html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("engine process exited with code 139", html);
        Assert.Contains("No ttft figure", html);
        Assert.Contains("No throughput figure", html);
        Assert.Contains("inter-token.png", html);
    }

    [Theory]
    [InlineData("--out", "x")]
    [InlineData("--sweep", "latest")]
    [InlineData("--sweep", "nope", "--out", "x")]
    public void Missing_options_and_unknown_sweeps_are_bad_input(params string[] args)
    {
        SeedSweeps.Add(store, "seed", seed: 1, step: 480, repeats: 2);
        var (code, _, stderr) = Report(args);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", stderr);
    }
}
