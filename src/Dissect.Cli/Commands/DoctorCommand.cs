using System.CommandLine;
using Dissect.Codegen.Lua;
using Dissect.Reporting.Pdf;
using Dissect.Schema.Protocols;
using Dissect.Tshark;

namespace Dissect.Cli.Commands;

/// <summary>Checks everything Dissect needs and says how to fix each problem, one line each.</summary>
public static class DoctorCommand
{
    public static Option<string?> TsharkOption() => new("--tshark") { Description = "Path of tshark (default: $DISSECT_TSHARK, then PATH)" };

    public static Command Create(ConsoleIo io)
    {
        var tshark = TsharkOption();
        var cmd = new Command("doctor", "Check tshark, its Lua support, the installed dissector and the PDF fonts") { tshark };
        cmd.SetAction(pr => Run(io, pr.GetValue(tshark)));
        return cmd;
    }

    public static int Run(ConsoleIo io, string? tsharkPath)
    {
        var problems = 0;
        void Ok(string what, string detail) => io.Out.WriteLine($"ok       {what}: {detail}");
        void Problem(string what, string detail, string fix)
        {
            problems++;
            io.Out.WriteLine($"problem  {what}: {detail}; fix: {fix}");
        }

        TsharkInfo? info = null;
        try
        {
            var path = TsharkLocator.Find(tsharkPath);
            info = TsharkLocator.Inspect(path);
            Ok("tshark", $"{info.Path} ({info.VersionText})");
            if (info.Version < TsharkInfo.Minimum)
                Problem("tshark version", $"{info.Version} is older than {TsharkInfo.Minimum}", "install Wireshark/tshark 4.0 or later");
            if (info.HasLua)
                Ok("Lua", info.LuaVersion == "yes" ? "tshark is built with Lua" : $"Lua {info.LuaVersion}");
            else
                Problem("Lua", "this tshark is built without Lua", "install a tshark built with Lua (Debian's tshark package is)");
        }
        catch (TsharkNotFoundException e)
        {
            Problem("tshark", e.Message, e.Hint);
        }

        if (info?.PersonalLuaPlugins is { } dir)
        {
            Ok("plugin folder", dir);
            var target = Path.Combine(dir, LuaGenerator.OutputFileName(MsTurn.Spec));
            if (!File.Exists(target))
                io.Out.WriteLine($"note     dissector: not installed in {dir}; run 'dissect install' to use it in Wireshark");
            else if (File.ReadAllText(target) != new LuaGenerator().Generate(MsTurn.Spec))
                Problem("dissector", $"{target} differs from this version of Dissect", "run 'dissect install' to update it");
            else
                Ok("dissector", $"{target} is installed and current");
        }
        else if (info is not null)
        {
            Problem("plugin folder", "tshark -G folders did not name a personal Lua plugin folder", "pass --dir to 'dissect install'");
        }

        var fonts = FontResolver.Find();
        if (fonts is null)
            Problem("fonts", "no Liberation Sans or DejaVu Sans font files", FontResolver.InstallHint);
        else
            Ok("fonts", $"{fonts.Family} ({fonts.Regular})");

        if (problems > 0)
        {
            io.Err.WriteLine($"dissect: doctor found {problems} problem(s)");
            return ExitCodes.ToolMissing;
        }
        return ExitCodes.Ok;
    }
}
