namespace GptBench.Analysis.Cli;

static class HelpText
{
    const string Filters = """
          --sweep ID         a sweep id or a unique prefix of one, or 'latest'
          --model M          --engine E   --dtype D   --device D     whole values, any case
          --gpu NAME         part of the GPU's name (e.g. H100)
          --host H           the machine the trial ran on
          --since DATE       --until DATE   UTC, e.g. 2025-03-01 (until includes that day) or 2025-03-01T12:00Z;
                             a sweep's start, a trial's finish, a sample's creation
          --axis NAME=VALUE  the trial's matrix axis NAME has this value, any case (repeatable)
        """;

    const string Db = """
          --db PATH          the result store (default: $GPTBENCH_DB, else ./gptbench.db), opened read-only
        """;

    public const string Results = $"""
        usage: gptbench results sweeps|trials|samples|slots [filters] [--format table|csv|json] [--out FILE] [--db PATH]
               gptbench results export --format csv|json [--out FILE] [filters] [--db PATH]

        Lists what the store holds. 'trials' shows each trial's statistics computed from its samples:
        median, mean with its Student-t 95% interval, standard deviation, p10/p90 and Tukey outliers
        (1.5 IQR) of TTFT and tokens/s, inter-token latency p50/p90/p99, achieved bandwidth and its share
        of the GPU's known limit. 'export' writes one row per sample with its trial's parameters.
        'slots' shows, for each trial point, each worker slot that ran it (slot name, host, the GPU its
        engine saw): trials, samples, median tokens/s and TTFT with p10..p90, then each slot's totals.
        Trials and samples also name their slot and GPU UUID.

        filters:
        {Filters}
        output:
          --format F         table (default; csv or json for export), csv or json
          --out FILE         write to FILE instead of standard output
        {Db}
        """;

    public const string Report = $"""
        usage: gptbench report --sweep ID|latest --out DIR [--db PATH]

        Writes DIR/report.html (self-contained: environments, statistics per trial, figures embedded)
        and the figures as PNG and SVG: ttft (median TTFT against input tokens), throughput (median
        tokens/s against output tokens, with the GPU's bandwidth limit where known) and inter-token
        (cumulative distribution of inter-token latency). Bands show p10..p90. A line is drawn for
        each model|engine|dtype whose trials take two or more values of that figure's token count.

          --sweep ID         a sweep id, a unique prefix of one, or 'latest'
          --out DIR          the folder to write into (created if missing)
        {Db}
        """;

    public const string Compare = $"""
        usage: gptbench compare SWEEP_A SWEEP_B [--metric ttft|throughput|both] [--min-change PCT]
                                [--format table|csv|json] [--db PATH]

        Matches trials of B to trials of A by model, engine, dtype, device, input and output tokens and
        sampling, and shows the ratio of medians B/A with a 95% bootstrap interval (2000 resamples, fixed
        seed). A trial is a regression or an improvement only when the Student-t 95% intervals of the two
        means do not overlap and the medians differ by at least --min-change percent: TTFT lower is
        better, tokens/s higher is better. Apart but under that change, it is 'small': one GPU's figures
        for the same code move ~0.5% between minutes, more than a trial's interval.
        Exit code 3 when any regression is found, 0 otherwise.

          --metric M         ttft, throughput or both (default)
          --min-change PCT   the smallest change of the medians that counts, in percent (default 1; 0 counts any)
          --format F         table (default), csv or json; the summary then goes to standard error
        {Db}
        """;
}
