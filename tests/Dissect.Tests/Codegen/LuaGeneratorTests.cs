using Dissect.Codegen.Lua;
using Dissect.Schema;
using Dissect.Schema.Protocols;
using Dissect.Tests.Support;
using Xunit;

namespace Dissect.Tests.Codegen;

public class LuaGeneratorTests
{
    private static readonly string Generated = new LuaGenerator().Generate(MsTurn.Spec);

    [Fact]
    public void The_committed_dissector_is_what_the_schema_generates()
    {
        var committed = File.ReadAllText(Repo.Dissector);
        Assert.True(committed == Generated,
            "dissectors/ms_turn.lua is stale: run 'dotnet run --project src/Dissect.Cli -- generate' and commit the " +
                "result");
    }

    [Fact]
    public void Generation_is_byte_stable_and_has_a_fixed_header_without_timestamp()
    {
        Assert.Equal(Generated, new LuaGenerator().Generate(MsTurn.Spec));
        Assert.StartsWith("-- MS-TURN", Generated);
        Assert.Contains("Do not edit", Generated);
        Assert.Contains("SPDX-License-Identifier: MIT", Generated);
        Assert.DoesNotMatch(@"20\d\d-\d\d-\d\d", Generated.Split('\n').Take(8).Aggregate((a, b) => a + b));
        Assert.DoesNotContain("\r", Generated);
    }

    [Fact]
    public void Generated_lines_stay_within_120_characters_one_table_entry_per_line()
    {
        var lines = Generated.Split('\n');
        var over = lines.Select((l, i) => (Line: i + 1, l.Length)).Where(x => x.Length > 120).ToList();
        Assert.True(over.Count == 0, "lines over 120: " + string.Join(", ", over.Take(10)));
        Assert.DoesNotContain(lines, l => l.StartsWith("ATT[", StringComparison.Ordinal) && l.Contains("kind =",
            StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("luac5.2")]
    [InlineData("luac5.4")]
    public void The_generated_Lua_and_each_runtime_file_pass_the_syntax_check_of_Lua_5_2_and_5_4(string luac)
    {
        var runtime = LuaGenerator.RuntimeFiles.Select(f => Path.Combine(Repo.Root, "templates", "lua", "runtime", f));
        foreach (var file in runtime.Prepend(Repo.Dissector))
        {
            var r = Proc.Run(luac, ["-p", file]);
            Assert.True(r.ExitCode == 0, $"{file}: {r.Stderr}");
        }
    }

    [Fact]
    public void The_runtime_is_plain_Lua_copied_after_the_generated_tables()
    {
        foreach (var f in LuaGenerator.RuntimeFiles)
        {
            var text = File.ReadAllText(Path.Combine(Repo.Root, "templates", "lua", "runtime", f));
            Assert.DoesNotContain("{{", text);
            Assert.Contains(text.TrimEnd('\n'), Generated);
        }
        Assert.True(Generated.IndexOf("local ATT = {}", StringComparison.Ordinal)
            < Generated.IndexOf("local function flavour_of", StringComparison.Ordinal));
    }

    [Fact]
    public void tshark_loads_the_dissector_and_lists_its_fields()
    {
        var r = TsharkCli.Run("-G", "fields", "-X", "lua_script:" + Repo.Dissector);
        Assert.False(r.LuaLoadError, r.Stderr);
        var fields = r.Stdout.Split('\n').Select(l => l.Split('\t')).Where(c => c.Length > 2
            && c[0] == "F").Select(c => c[2]).ToHashSet();
        foreach (var f in new[] { "msturn.type", "msturn.length", "msturn.transaction_id", "msturn.att.type",
            "msturn.att.length", "msturn.att.ipv4", "msturn.att.ipv6",
                     "msturn.att.port", "msturn.att.lifetime", "msturn.att.ms_sequence_number.sequence",
                         "msturn.att.ms_service_quality.stream_type", "msturn.att.data",
                     "msturn.response_in", "msturn.mux.session_id", "msturn.framing.type" })
            Assert.Contains(f, fields);
    }

    [Fact]
    public void Lua_strings_hold_any_text_as_plain_ASCII()
    {
        Assert.Equal("\"a\\\"b\\\\c\\nd\"", LuaSyntax.Str("a\"b\\c\nd"));
        Assert.Equal("\"\\195\\169\\000\"", LuaSyntax.Str("é\0"));
        Assert.Equal("\"]]--\"", LuaSyntax.Str("]]--"));
    }

    [Fact]
    public void An_invalid_schema_is_refused_with_its_diagnostics()
    {
        var bad = ProtocolBuilder.Create("p", "Bad Name", "T").Build();
        var e = Assert.Throws<SchemaException>(() => new LuaGenerator().Generate(bad));
        Assert.Contains(e.Diagnostics, d => d.Message.Contains("filter name"));
        Assert.Contains(e.Diagnostics, d => d.Message.Contains("flavour"));
    }

    [Fact]
    public void A_template_folder_overrides_the_embedded_templates_by_name()
    {
        var dir = Repo.TempDir("tpl");
        File.WriteAllText(Path.Combine(dir, "header.hbs"),
            "-- custom header for {{{ProtoName}}}\nlocal proto = Proto({{{ProtoName}}}, {{{ProtoTitle}}})\nlocal " +
                "proto_tcp = Proto({{{TcpProtoName}}}, {{{TcpProtoTitle}}})\n");
        var lua = new LuaGenerator(dir).Generate(MsTurn.Spec);
        Assert.StartsWith("-- custom header for \"msturn\"", lua);
    }

    [Fact]
    public void A_template_folder_overrides_a_runtime_file_by_name()
    {
        var dir = Repo.TempDir("tpl");
        File.WriteAllText(Path.Combine(dir, "registration.lua"), "-- my own registration\n");
        var lua = new LuaGenerator(dir).Generate(MsTurn.Spec);
        Assert.EndsWith("-- my own registration\n", lua);
        Assert.DoesNotContain("register_heuristic", lua);
    }
}

public class FieldReferenceTests
{
    [Fact]
    public void The_committed_field_reference_is_what_the_schema_generates()
    {
        var md = Dissect.Codegen.Lua.FieldReference.Markdown(Dissect.Schema.Protocols.MsTurn.Spec);
        Assert.True(File.ReadAllText(Path.Combine(Repo.Root, "docs", "ms_turn_fields.md")) == md,
            "docs/ms_turn_fields.md is stale: run 'dissect docs' and commit");
        Assert.True(File.ReadAllText(Path.Combine(Repo.Root, "docs",
            "ms_turn_fields.html")) == Dissect.Codegen.Lua.FieldReference.Html(Dissect.Schema.Protocols.MsTurn.Spec),
                "docs/ms_turn_fields.html is stale");
    }

    [Fact]
    public void Every_filter_field_of_the_dissector_is_in_the_reference_with_its_type_and_section()
    {
        var md = Dissect.Codegen.Lua.FieldReference.Markdown(Dissect.Schema.Protocols.MsTurn.Spec);
        Assert.Contains("| `msturn.att.ms_service_quality.stream_type` | uint16 | Stream type | 1 = Audio; 2 = " +
            "Video; 3 = Supplemental video; 4 = Data | MS-TURN 2.2.2.22 |", md);
        Assert.Contains("| 0x0115 | Data Indication | ms | MS-TURN 2.2.1 |", md);
        var lua = File.ReadAllText(Repo.Dissector);
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(lua,
            "ProtoField\\.[a-z0-9_]+\\(\"(msturn\\.[a-z0-9_.]+)\""))
            Assert.Contains($"`{m.Groups[1].Value}`", md);
    }
}
