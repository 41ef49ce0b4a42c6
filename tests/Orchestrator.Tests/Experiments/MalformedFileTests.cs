using GptBench.Orchestrator.Experiments;

namespace GptBench.Orchestrator.Tests.Experiments;

/// <summary>Each file under Malformed/ fails at an exact line and column with a message saying what was expected.</summary>
public class MalformedFileTests
{
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Experiments", "Malformed");

    public static readonly TheoryData<string, int, int, string> Cases = new()
    {
        { "unknown-key.yaml", 4, 1, "unknown key 'repeat' in an experiment; expected one of: name, models, model, engines" },
        { "wrong-type.yaml", 3, 10, "expected an integer for repeats, got 'three'" },
        { "wrong-type-list.yaml", 3, 3, "expected a name for engine, got a mapping" },
        { "quoted-number.yaml", 3, 9, "expected an integer for warmup, got the string \"2\"" },
        { "reversed-range.yaml", 4, 17, "empty range: 'from' 992 is greater than 'to' 16" },
        { "zero-step.yaml", 4, 43, "step must be at least 1, got 0" },
        { "empty-list.yaml", 4, 17, "expected at least one value in input_tokens, got an empty list" },
        { "unknown-range-key.yaml", 4, 36, "unknown key 'stride' in a range of input_tokens; expected one of: from, to, step" },
        { "context-overflow.yaml", 6, 21, "input_tokens 1024 + output_tokens 32 = 1056 exceeds the context of model 'gpt2'; expected at most 1024" },
        { "checkpoint-context.yaml", 5, 22, "input_tokens 48 + output_tokens 32 = 80 exceeds the context of model 'small-context'; expected at most 64" },
        { "unknown-engine.yaml", 2, 19, "unknown engine 'turbo'; expected one of: eager, static, cuda-graph" },
        { "unknown-model.yaml", 3, 5, "unknown model preset 'gpt3'; expected one of: tiny, gpt2, gpt2-medium, gpt2-large" },
        { "unknown-dtype.yaml", 3, 8, "unknown dtype 'int4'; expected one of: fp32, bf16, fp16, int8" },
        { "unknown-device.yaml", 3, 9, "unknown device 'tpu'; expected one of: auto, cpu, cuda" },
        { "missing-prompt-file.yaml", 3, 14, "prompt_file 'prompts/missing.txt' not found; expected a file at" },
        { "missing-model-path.yaml", 2, 11, "model path '../Checkpoints/not-there' not found; expected a folder at" },
        { "checkpoint-without-config.yaml", 1, 17, "expected a checkpoint folder with config.json" },
        { "zip-unequal.yaml", 6, 7, "zip lists must have equal lengths; got input_tokens: 3, output_tokens: 2" },
        { "duplicate-key.yaml", 5, 1, "invalid YAML: Duplicate key repeats" },
        { "empty.yaml", 1, 1, "the file is empty; expected a mapping" },
        { "comments-only.yaml", 1, 1, "the file is empty; expected a mapping" },
        { "repeats-zero.yaml", 3, 10, "repeats must be at least 1, got 0" },
        { "warmup-negative.yaml", 3, 9, "warmup must be at least 0, got -1" },
        { "input-tokens-zero.yaml", 3, 25, "input_tokens must be at least 1, got 0" },
        { "output-tokens-zero.yaml", 5, 25, "output_tokens must be at least 1, got 0" },
        { "temperature-zero.yaml", 3, 25, "temperature must be greater than 0, got 0" },
        { "top-k-negative.yaml", 5, 10, "top_k must be at least 0, got -5" },
        { "greedy-with-temperature.yaml", 3, 39, "greedy sampling takes no temperature or top_k" },
        { "bad-syntax.yaml", 3, 1, "invalid YAML: could not read on from here; expected a '[' or '{' above to be closed" },
        { "bad-indentation.yaml", 3, 2, "invalid YAML: While parsing a block collection, did not find expected '-' indicator." },
        { "cuda-engine-on-cpu.yaml", 2, 19, "engine 'cuda-graph' needs a CUDA device; expected device cuda or auto" },
        { "int8-without-fused.yaml", 3, 8, "dtype int8 (int8 weights) runs only on the fused engine, not 'static'; expected engine fused or another dtype" },
        { "sweep-without-output.yaml", 4, 5, "sweep 'ttft' sets no output_tokens" },
        { "matrix-and-sweeps.yaml", 4, 1, "give either 'sweeps' or 'matrix', not both" },
        { "model-and-models.yaml", 3, 1, "give either 'models' or 'model', not both" },
        { "missing-engines.yaml", 1, 1, "missing key 'engines': expected the engine(s) to run" },
        { "two-documents.yaml", 5, 1, "expected one YAML document" },
        { "axis-in-cross-and-zip.yaml", 5, 11, "axis 'input_tokens' is in both cross and zip" },
        { "top-level-list.yaml", 1, 1, "expected a mapping for an experiment, got a list" },
        { "duplicate-sweep-name.yaml", 6, 5, "duplicate sweep name 'ttft'" },
        { "huge-range.yaml", 5, 18, "range has 2000000000 values; expected at most 100000" },
        { "seed-on-checkpoint.yaml", 3, 11, "'seed' applies to presets only" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fails_at_the_line_and_column_of_the_fault(string file, int line, int column, string reason)
    {
        var path = Path.Combine(Folder, file);

        var error = Assert.Throws<ExperimentException>(() => ExperimentLoader.Load(path));

        Assert.Equal(path, error.File);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(reason, error.Reason);
        Assert.StartsWith($"{path}:{line}:{column}: error: ", error.Message);
    }

    [Fact]
    public void Every_malformed_file_has_a_case()
    {
        var files = Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Order();
        var cases = Cases.Select(row => (string)row[0]).Order();

        Assert.Equal(files, cases);
    }

    [Fact]
    public void A_missing_file_names_the_file_without_a_position()
    {
        var path = Path.Combine(Folder, "no-such-experiment.yaml");

        var error = Assert.Throws<ExperimentException>(() => ExperimentLoader.Load(path));

        Assert.Equal((0, 0), (error.Line, error.Column));
        Assert.Equal($"{path}: error: file not found; expected a YAML experiment file", error.Message);
    }
}
