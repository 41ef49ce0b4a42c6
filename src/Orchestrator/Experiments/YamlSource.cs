using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GptBench.Orchestrator.Experiments;

/// <summary>
/// One YAML file and typed reads of its nodes. Every failure is an <see cref="ExperimentException"/>
/// at the line and column of the node that caused it.
/// </summary>
internal sealed class YamlSource(string fileName)
{
    public string FileName => fileName;

    /// <summary>Folder that relative paths in the file (prompt_file, model paths) start from.</summary>
    public string Folder { get; } = Path.GetDirectoryName(Path.GetFullPath(fileName))!;

    public ExperimentException Error(Mark at, string reason) => new(fileName, (int)at.Line, (int)at.Column, reason);

    public ExperimentException Error(YamlNode node, string reason) => Error(node.Start, reason);

    /// <summary>The file's single document; YamlDotNet's own errors (syntax, duplicate keys) keep their position.</summary>
    public YamlNode ParseDocument()
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(ReadText()));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw Error(e.Start, $"invalid YAML: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some input, e.g. a flow list left open
            // (aaubry/YamlDotNet#541); where it stopped is the best position there is.
            throw Error(scanner.CurrentPosition, "invalid YAML: could not read on from here; expected a '[' or '{' above to be closed");
        }
        if (stream.Documents.Count == 0)
            throw new ExperimentException(fileName, 1, 1, "the file is empty; expected a mapping with an experiment's keys");
        if (stream.Documents.Count > 1)
            throw Error(stream.Documents[1].RootNode, "expected one YAML document, found a second one");
        return stream.Documents[0].RootNode;
    }

    string ReadText()
    {
        try
        {
            return File.ReadAllText(fileName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ExperimentException(fileName, 0, 0, $"could not read the file: {e.Message}");
        }
    }

    public Fields Mapping(YamlNode node, string what, IReadOnlyList<string> allowed)
    {
        if (node is not YamlMappingNode mapping)
            throw Error(node, $"expected a mapping for {what}, got {Describe(node)}");
        return new Fields(this, mapping, what, allowed);
    }

    /// <summary>A non-empty list.</summary>
    public IReadOnlyList<YamlNode> List(YamlNode node, string what)
    {
        if (node is not YamlSequenceNode sequence)
            throw Error(node, $"expected a list for {what}, got {Describe(node)}");
        if (sequence.Children.Count == 0)
            throw Error(node, $"expected at least one value in {what}, got an empty list");
        return [.. sequence.Children];
    }

    public string Text(YamlNode node, string what)
    {
        if (node is not YamlScalarNode { Value: { Length: > 0 } value })
            throw Error(node, $"expected a name for {what}, got {Describe(node)}");
        return value;
    }

    public string OneOf(YamlNode node, string what, IReadOnlyList<string> names)
    {
        var value = Text(node, what);
        if (!names.Contains(value))
            throw Error(node, $"unknown {what} '{value}'; expected one of: {string.Join(", ", names)}");
        return value;
    }

    public int Int(YamlNode node, string what, int min = int.MinValue)
    {
        var value = Plain(node, what, "an integer");
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            throw Error(node, $"expected an integer for {what}, got '{value}'");
        if (number < min)
            throw Error(node, $"{what} must be at least {min}, got {number}");
        return number;
    }

    public long Long(YamlNode node, string what)
    {
        var value = Plain(node, what, "an integer");
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            throw Error(node, $"expected an integer for {what}, got '{value}'");
        return number;
    }

    /// <summary>A finite number greater than zero.</summary>
    public double Positive(YamlNode node, string what)
    {
        var value = Plain(node, what, "a number");
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            throw Error(node, $"expected a number for {what}, got '{value}'");
        if (number <= 0)
            throw Error(node, $"{what} must be greater than 0, got {value}");
        return number;
    }

    public bool Bool(YamlNode node, string what)
    {
        var value = Plain(node, what, "true or false");
        return value.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Error(node, $"expected true or false for {what}, got '{value}'"),
        };
    }

    /// <summary>Full path of an existing file named relative to this file's folder.</summary>
    public string ExistingFile(YamlNode node, string what)
    {
        var written = Text(node, what);
        var full = Path.GetFullPath(Path.Combine(Folder, written));
        if (!File.Exists(full))
            throw Error(node, $"{what} '{written}' not found; expected a file at {full}");
        return full;
    }

    /// <summary>Full path of an existing folder named relative to this file's folder.</summary>
    public string ExistingFolder(YamlNode node, string what)
    {
        var written = Text(node, what);
        var full = Path.GetFullPath(Path.Combine(Folder, written));
        if (!Directory.Exists(full))
            throw Error(node, $"{what} '{written}' not found; expected a folder at {full}");
        return full;
    }

    // Numbers and booleans must be plain scalars: in YAML a quoted "16" is a string.
    string Plain(YamlNode node, string what, string expected)
    {
        if (node is not YamlScalarNode { Style: not (ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted), Value: { Length: > 0 } value })
            throw Error(node, $"expected {expected} for {what}, got {Describe(node)}");
        return value;
    }

    static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } scalar => $"the string \"{scalar.Value}\"",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => node.NodeType.ToString(),
    };
}

/// <summary>A mapping's entries by key, every key checked against the allowed ones.</summary>
internal sealed class Fields
{
    readonly YamlSource source;
    readonly List<(string Name, YamlNode Key, YamlNode Value)> entries = [];

    public Fields(YamlSource source, YamlMappingNode mapping, string what, IReadOnlyList<string> allowed)
    {
        this.source = source;
        Node = mapping;
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || !allowed.Contains(name))
                throw source.Error(key, $"unknown key '{key}' in {what}; expected one of: {string.Join(", ", allowed)}");
            entries.Add((name, key, value));
        }
    }

    public YamlMappingNode Node { get; }

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<(string Name, YamlNode Key, YamlNode Value)> Entries => entries;

    public YamlNode? Get(string key) => entries.Find(entry => entry.Name == key).Value;

    /// <summary>The value of whichever of two exclusive keys is present; the second one written is an error.</summary>
    public YamlNode? Either(string key, string other)
    {
        var both = entries.Where(entry => entry.Name == key || entry.Name == other).ToList();
        if (both.Count > 1)
            throw source.Error(both[1].Key, $"give either '{key}' or '{other}', not both");
        return both.Count == 1 ? both[0].Value : null;
    }

    public YamlNode Require(string key, string what) =>
        Get(key) ?? throw source.Error(Node, $"missing key '{key}': expected {what}");
}
