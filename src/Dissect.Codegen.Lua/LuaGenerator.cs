using System.Reflection;
using Dissect.Schema;
using Dissect.IO;
using HandlebarsDotNet;

namespace Dissect.Codegen.Lua;

/// <summary>A schema that did not validate; carries every diagnostic.</summary>
public sealed class SchemaException(IReadOnlyList<Diagnostic> diagnostics)
    : DissectException("schema is invalid:\n" + string.Join("\n", diagnostics),
        "fix the problems listed, each at its schema path")
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}

/// <summary>
/// Writes the Lua dissector of a schema: the part made from the schema (header, fields, tables) rendered from
/// <c>templates/lua/*.hbs</c>, then the runtime (<c>templates/lua/runtime/*.lua</c>), plain Lua copied as it is. Both
/// are embedded; a folder given to the constructor overrides any of them by file name.
/// </summary>
public sealed class LuaGenerator
{
    private const string MainTemplate = "dissector.lua.hbs";

    /// <summary>The runtime files, in the order they follow the generated part: each uses what the ones before
    /// define.</summary>
    public static readonly IReadOnlyList<string> RuntimeFiles = ["engine.lua", "transport.lua", "registration.lua"];
    private readonly string? _overrideDir;

    public LuaGenerator(string? templateOverrideDir = null) => _overrideDir = templateOverrideDir;

    public static string OutputFileName(ProtocolSpec p) => p.Id.Replace('-', '_') + ".lua";

    public string Generate(ProtocolSpec protocol)
    {
        var problems = SchemaValidator.Validate(protocol).Where(d => d.Severity == Severity.Error).ToList();
        if (problems.Count > 0)
            throw new SchemaException(problems);

        var hb = Handlebars.Create(new HandlebarsConfiguration
        {
            // Lua is not HTML: every literal is escaped by LuaSyntax before it reaches a template.
            NoEscape = true,
            ThrowOnUnresolvedBindingExpression = true,
        });
        var templates = LoadTemplates();
        foreach (var (name, text) in templates.Where(t => t.Key != MainTemplate))
            hb.RegisterTemplate(Path.GetFileNameWithoutExtension(name), text);
        var render = hb.Compile(templates[MainTemplate]);
        var lua = render(LuaViewBuilder.Build(protocol));
        var runtime = LoadRuntime();
        return Normalise(string.Join("\n", [lua, .. RuntimeFiles.Select(f => runtime[f])]));
    }

    /// <summary>Writes the dissector into <paramref name="outDir"/>; returns the path and whether its content
    /// changed.</summary>
    public (string Path, bool Changed) WriteTo(ProtocolSpec protocol, string outDir)
    {
        var text = Generate(protocol);
        Directory.CreateDirectory(outDir);
        var path = Path.Combine(outDir, OutputFileName(protocol));
        var changed = !File.Exists(path) || File.ReadAllText(path) != text;
        if (changed)
            AtomicFile.WriteAllText(path, text);
        return (path, changed);
    }

    private SortedDictionary<string, string> LoadTemplates()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var asm = typeof(LuaGenerator).Assembly;
        foreach (var res in asm.GetManifestResourceNames()
            .Where(r => r.StartsWith("lua/", StringComparison.Ordinal) && r.EndsWith(".hbs", StringComparison.Ordinal)))
        {
            using var s = asm.GetManifestResourceStream(res)!;
            using var r = new StreamReader(s);
            result[res["lua/".Length..]] = r.ReadToEnd();
        }
        if (_overrideDir is not null)
        {
            if (!Directory.Exists(_overrideDir))
                throw new DirectoryNotFoundException($"template folder not found: {_overrideDir}");
            foreach (var file in Directory.GetFiles(_overrideDir, "*.hbs"))
                result[Path.GetFileName(file)] = File.ReadAllText(file);
        }
        if (!result.ContainsKey(MainTemplate))
            throw new InvalidOperationException($"template {MainTemplate} is missing");
        return result;
    }

    private Dictionary<string, string> LoadRuntime()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var asm = typeof(LuaGenerator).Assembly;
        foreach (var name in RuntimeFiles)
        {
            var over = _overrideDir is null ? null : Path.Combine(_overrideDir, name);
            if (over is not null && File.Exists(over))
            {
                result[name] = File.ReadAllText(over);
                continue;
            }
            using var s = asm.GetManifestResourceStream("lua/runtime/" + name)
                ?? throw new InvalidOperationException($"runtime file {name} is missing");
            using var r = new StreamReader(s);
            result[name] = r.ReadToEnd();
        }
        return result;
    }

    // Byte-stable output: LF only, no trailing blanks, exactly one final newline.
    private static string Normalise(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd());
        return string.Join("\n", lines).TrimEnd('\n') + "\n";
    }
}
