using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Codegen;

/// <summary>Lines stay within 120 characters (characters, not bytes) in every source a reader opens.</summary>
public class LineLengthTests
{
    private static readonly string[] Folders = ["src", "tests", "templates/lua"];

    [Fact]
    public void No_line_of_the_sources_tests_templates_or_generated_Lua_is_over_120_characters()
    {
        var files = Folders
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Repo.Root, d), "*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is ".cs" or ".hbs" or ".lua")
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal))
            .Append(Repo.Dissector);
        var over = files.SelectMany(f => File.ReadAllLines(f).Select((l, i) => (f, Line: i + 1, l.Length)))
            .Where(x => x.Length > 120).Select(x => $"{Path.GetRelativePath(Repo.Root, x.f)}:{x.Line} ({x.Length})")
            .ToList();
        Assert.True(over.Count == 0, string.Join("\n", over.Take(20)));
    }
}
