using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dissect.Analysis;

public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // The default encoder escapes <, >, &, quotes and non-ASCII: text from captures cannot break out of a string.
        Encoder = JavaScriptEncoder.Default,
        // Metadata generated at build time: reflection built it on every run, with its emitted code (the merged
        // corpus's report: peak 81.7 -> 78.4 MB). Types only known at run time (finding values) fall back to it.
        TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
            ReportModelContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()),
    };

    /// <summary>The JSON Schema of the report model (draft 2020-12), generated from the C# records so it cannot
    /// drift.</summary>
    public static string Schema()
    {
        var node = System.Text.Json.Schema.JsonSchemaExporter.GetJsonSchemaAsNode(Options, typeof(ReportModel));
        var root = new System.Text.Json.Nodes.JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"https://dissect.invalid/report-model/v{ReportModel.CurrentSchemaVersion}.json",
            ["title"] = "Dissect report model",
            ["description"] =
                $"What 'dissect analyze --json' and 'dissect report --format json' write; schemaVersion " +
                    $"{ReportModel.CurrentSchemaVersion}. Times are UTC from the capture itself.",
        };
        foreach (var (k, v) in node.AsObject().ToList())
        {
            node.AsObject().Remove(k);
            root[k] = v;
        }
        return root.ToJsonString(Options) + "\n";
    }

    public static string Serialize(ReportModel m) => JsonSerializer.Serialize(m, Options) + "\n";

    /// <summary>Streams the model to a file: a model of 100k DNS names is tens of MB, never held as one
    /// string.</summary>
    public static void WriteFile(string path, ReportModel m)
    {
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        JsonSerializer.Serialize(f, m, Options);
        f.WriteByte((byte)'\n');
    }

    public static ReportModel? Deserialize(string json) => JsonSerializer.Deserialize<ReportModel>(json, ReadOptions);

    // Reading back is strict: a section that is missing or null is an error with its JSON path, never a model that
    // fails later with a NullReferenceException deep in a renderer.
    private static readonly JsonSerializerOptions ReadOptions = new(Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Reads a model file written by Dissect; anything else is a <see cref="ModelFileException"/>.</summary>
    public static ReportModel Read(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new ModelFileException("the file does not exist", "check the path");
        }
        int? version = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("schemaVersion", out var v) && v.TryGetInt32(out var n))
                version = n;
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", Hint);
        }
        if (version is null)
            throw new ModelFileException("not a Dissect report model (no schemaVersion)", Hint);
        if (version != ReportModel.CurrentSchemaVersion)
            throw new ModelFileException(
                $"report model schemaVersion {version}; this Dissect reads version {ReportModel.CurrentSchemaVersion}",
                "analyse the capture again with this version of Dissect");
        try
        {
            return JsonSerializer.Deserialize<ReportModel>(json, ReadOptions)
                ?? throw new ModelFileException("null, not a report model", Hint);
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"not a complete report model: {Missing(e)}", Hint);
        }
    }

    private const string Hint = "give a model written by 'dissect analyze --json' or 'dissect report --format json'";

    /// <summary>What is missing, by JSON path: "$.stun.allocations is missing".</summary>
    private static string Missing(JsonException e)
    {
        var at = e.Path ?? "$";
        var m = System.Text.RegularExpressions.Regex.Match(e.Message,
            "missing required properties including: (.*?)\\.?$");
        if (m.Success)
            return string.Join(", ", m.Groups[1].Value.Split(", ").Select(p => $"{at}.{p.Trim('\'')}")) + " missing";
        return e.Message.Contains("null", StringComparison.Ordinal) ? $"{at} is null" : $"{at} has the wrong type";
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReportModel))]
internal sealed partial class ReportModelContext : System.Text.Json.Serialization.JsonSerializerContext;
