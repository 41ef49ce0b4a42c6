using GptBench.GpuWorker.Protocol;
using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Tests.Experiments;

/// <summary>
/// Trial hashes depend on a trial's parameters only; the experiment hash on its name and trials.
/// Both are what a re-run uses to find finished work, so they must not drift.
/// </summary>
public sealed class ContentHashTests : IDisposable
{
    const string Original = """
        name: original
        models: [gpt2]
        engines: [eager, static]
        dtype: bf16
        device: cuda
        sampling: {temperature: 0.5, top_k: 50}
        warmup: 2
        repeats: 5
        seed: 1234
        timeout_s: 300
        sweeps:
          - name: ttft
            cross: {input_tokens: {from: 16, to: 80, step: 32}, output_tokens: 32}
          - name: throughput
            cross: {input_tokens: 32, output_tokens: [16, 48]}
        """;

    // The same trials: keys reordered, comments, block style, a list for the one dtype, sweeps swapped and renamed.
    const string Rewritten = """
        # the same experiment, written differently
        sweeps:
          - cross:
              output_tokens: [16, 48]   # decode
              input_tokens: [32]
            name: decode
          - name: prefill
            cross:
              output_tokens: 32
              input_tokens: [16, 48, 80]
        repeats: 5
        timeout_s: 300.0
        warmup: 2
        engines:
          - static
          - eager
        dtypes: [bf16]
        seed: 1234
        sampling:
          top_k: 50
          temperature: 0.50
        device: cuda
        models: [{preset: gpt2, seed: 0}]
        name: renamed
        """;

    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    static Dictionary<(string, int, int), string> HashesByPoint(Experiment experiment) =>
        experiment.Trials.ToDictionary(trial => (trial.Engine, trial.InputTokens, trial.OutputTokens), trial => trial.Hash);

    [Fact]
    public void Trial_hashes_survive_reordering_renaming_comments_and_style()
    {
        var original = folder.Load(Original, "original.yaml");
        var rewritten = folder.Load(Rewritten, "rewritten.yaml");

        Assert.Equal(10, original.Trials.Count);
        Assert.Equal(HashesByPoint(original), HashesByPoint(rewritten));
        Assert.All(original.Trials, trial => Assert.Matches("^[0-9a-f]{16}$", trial.Hash));
    }

    [Fact]
    public void Experiment_hash_changes_with_names_but_not_with_key_order_or_comments()
    {
        var original = folder.Load(Original, "a.yaml").ContentHash;

        Assert.Equal(original, folder.Load("# moved keys\n" + Original.Replace("warmup: 2\nrepeats: 5\n", "repeats: 5\nwarmup: 2\n"), "b.yaml").ContentHash);
        Assert.NotEqual(original, folder.Load(Original.Replace("name: original", "name: other"), "c.yaml").ContentHash);
        Assert.NotEqual(original, folder.Load(Original.Replace("name: ttft", "name: prefill"), "d.yaml").ContentHash);
        Assert.NotEqual(original, folder.Load(Original.Replace("repeats: 5", "repeats: 6"), "e.yaml").ContentHash);
        Assert.Matches("^[0-9a-f]{16}$", original);
    }

    [Theory]
    [InlineData("models: [gpt2]", "models: [{preset: gpt2, seed: 1}]")]
    [InlineData("dtype: bf16", "dtype: fp16")]
    [InlineData("device: cuda", "device: auto")]
    [InlineData("sampling: {temperature: 0.5, top_k: 50}", "sampling: {temperature: 0.5, top_k: 40}")]
    [InlineData("sampling: {temperature: 0.5, top_k: 50}", "sampling: {greedy: true}")]
    [InlineData("warmup: 2", "warmup: 3")]
    [InlineData("repeats: 5", "repeats: 4")]
    [InlineData("seed: 1234", "seed: 1235")]
    [InlineData("timeout_s: 300", "timeout_s: 301")]
    public void Every_parameter_goes_into_the_trial_hash(string setting, string changed)
    {
        var original = folder.Load(Original, "original.yaml");
        var edited = folder.Load(Original.Replace(setting, changed), "edited.yaml");

        Assert.Empty(original.Trials.Select(trial => trial.Hash).Intersect(edited.Trials.Select(trial => trial.Hash)));
    }

    [Fact]
    public void The_prompt_file_counts_by_its_content()
    {
        const string Yaml = "models: [tiny]\nengines: [static]\nprompt_file: prompt.txt\nmatrix: {input_tokens: 4, output_tokens: 4}";
        folder.Write("prompt.txt", "Once upon a time");
        var first = Assert.Single(folder.Load(Yaml).Trials).Hash;
        var again = Assert.Single(folder.Load(Yaml).Trials).Hash;
        folder.Write("prompt.txt", "It was a dark and stormy night");
        var edited = Assert.Single(folder.Load(Yaml).Trials).Hash;

        Assert.Equal(first, again);
        Assert.NotEqual(first, edited);
    }

    [Fact]
    public void A_trial_hashes_the_canonical_text_of_its_parameters()
    {
        var trial = Assert.Single(folder.Load("""
            models: [{preset: gpt2, seed: 7}]
            engines: [static]
            sampling: {temperature: 0.5, top_k: 50}
            seed: 1234
            timeout_s: 90
            matrix: {input_tokens: 16, output_tokens: 32}
            """).Trials);

        // Changing this text changes every stored trial's id: finished trials would run again.
        const string Expected = """
            model=preset:gpt2:seed:7
            engine=static
            dtype=fp32
            device=auto
            input_tokens=16
            output_tokens=32
            sampling=temperature:0.5:top_k:50
            warmup=1
            repeats=3
            seed=1234
            prompt=none
            timeout_s=90
            """;
        Assert.Equal(Expected.ReplaceLineEndings("\n"), Canonical.Trial(trial, promptSha256: null));
        Assert.Equal(Canonical.Hash(Expected.ReplaceLineEndings("\n")), trial.Hash);
        Assert.Equal("preset:gpt2:seed:7|static|fp32|auto", trial.GroupKey);
    }

    [Fact]
    public void Hash_is_the_first_16_hex_digits_of_sha256()
    {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2 example).
        Assert.Equal("ba7816bf8f01cfea", Canonical.Hash("abc"));
    }

    [Fact]
    public void A_checkpoint_is_identified_by_its_full_path()
    {
        Assert.Equal("path:/models/gpt2", Canonical.Model(new ModelSpec(Path: "/models/gpt2")));
        Assert.Equal("preset:tiny:seed:0", Canonical.Model(new ModelSpec(Preset: "tiny")));
    }
}
