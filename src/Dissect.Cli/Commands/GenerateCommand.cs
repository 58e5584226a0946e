using Dissect.IO;
using System.CommandLine;
using Dissect.Codegen.Lua;
using Dissect.Schema;
using Dissect.Schema.Protocols;

namespace Dissect.Cli.Commands;

public static class GenerateCommand
{
    public static Command Create(ConsoleIo io)
    {
        var schema = SchemaOption();
        var output = new Option<string>("--out", "-o")
        {
            Description = "Folder for the generated dissector",
            DefaultValueFactory = _ => "dissectors"
        };
        var templates = new Option<string?>("--templates")
        {
            Description =
            "Folder whose *.hbs files override the embedded Lua templates"
        };
        var cmd = new Command("generate", "Generate the Lua dissector of a protocol schema") { schema, output,
            templates };
        cmd.SetAction(pr =>
        {
            if (!TryGetSchema(pr.GetValue(schema)!, io, out var spec))
                return ExitCodes.Usage;
            try
            {
                var (path, changed) = new LuaGenerator(pr.GetValue(templates)).WriteTo(spec, pr.GetValue(output)!);
                io.Out.WriteLine(changed ? $"wrote {path}" : $"{path} is up to date");
                return ExitCodes.Ok;
            }
            catch (SchemaException e)
            {
                foreach (var d in e.Diagnostics)
                    io.Err.WriteLine(d.ToString());
                return io.Fail($"schema '{spec.Id}' has {e.Diagnostics.Count} problem(s)");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException
                or HandlebarsDotNet.HandlebarsException)
            {
                return io.Fail(e.Message);
            }
        });
        return cmd;
    }

    public static Option<string> SchemaOption() =>
        new("--schema")
        {
            Description = "Protocol schema: " + string.Join(", ", KnownSchemas.All.Keys),
            DefaultValueFactory = _ => "ms-turn"
        };

    public static bool TryGetSchema(string id, ConsoleIo io, out ProtocolSpec spec)
    {
        if (KnownSchemas.All.TryGetValue(id, out spec!))
            return true;
        io.Fail($"unknown schema '{id}'; known: {string.Join(", ", KnownSchemas.All.Keys)}");
        return false;
    }
}
