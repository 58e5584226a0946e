using Dissect.IO;
using System.CommandLine;
using Dissect.Codegen.Lua;

namespace Dissect.Cli.Commands;

public static class DocsCommand
{
    public static Command Create(ConsoleIo io)
    {
        var schema = GenerateCommand.SchemaOption();
        var output = new Option<string>("--out", "-o")
        {
            Description = "Folder for the field reference",
            DefaultValueFactory = _ => "docs"
        };
        var cmd = new Command("docs",
            "Write the display-filter field reference (Markdown and HTML) of a schema and the JSON Schema of the " +
                "report model") { schema, output };
        cmd.SetAction(pr =>
        {
            if (!GenerateCommand.TryGetSchema(pr.GetValue(schema)!, io, out var spec))
                return ExitCodes.Usage;
            var dir = pr.GetValue(output)!;
            try
            {
                Directory.CreateDirectory(dir);
                var stem = Path.Combine(dir, spec.Id.Replace('-', '_') + "_fields");
                AtomicFile.WriteAllText(stem + ".md", FieldReference.Markdown(spec));
                AtomicFile.WriteAllText(stem + ".html", FieldReference.Html(spec));
                io.Out.WriteLine($"wrote {stem}.md and {stem}.html");
                var model = Path.Combine(dir, "report-model.schema.json");
                AtomicFile.WriteAllText(model, Dissect.Analysis.ReportJson.Schema());
                io.Out.WriteLine($"wrote {model}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return io.Fail($"cannot write to {dir}: {e.Message}");
            }
        });
        return cmd;
    }
}
