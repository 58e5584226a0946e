using System.CommandLine;
using Dissect.Codegen.Lua;
using Dissect.Reporting.Pdf;
using Dissect.Schema.Protocols;
using Dissect.Tshark;

namespace Dissect.Cli.Commands;

/// <summary>Checks everything Dissect needs and says how to fix each problem, one line each.</summary>
public static class DoctorCommand
{
    public static Option<string?> TsharkOption() => new("--tshark")
    {
        Description =
        "Path of tshark; without it, $DISSECT_TSHARK, then PATH"
    };

    public static Command Create(ConsoleIo io)
    {
        var tshark = TsharkOption();
        var cmd = new Command("doctor",
            "Check tshark, its Lua support, the installed dissector and the PDF fonts") { tshark };
        cmd.SetAction(pr => Run(io, pr.GetValue(tshark)));
        return cmd;
    }

    /// <summary>
    /// Whether Lua scripts run for this user, and for each installed copy (personal, global): does tshark load it, as
    /// this user runs it, and is it this version's. Checked by loading, not by looking at files.
    /// </summary>
    private static void CheckDissectors(TsharkInfo info, Action<string, string> ok, Action<string, string,
        string> problem,
        ConsoleIo io)
    {
        var scriptsRun = TsharkLocator.LuaScriptsRunFor(info.Path);
        var current = Runtime.LuaScriptPath();
        var copies = new[] { ("personal", info.PersonalLuaPlugins), ("global", info.GlobalLuaPlugins) }
            .Select(c => (Where: c.Item1, File: Path.Combine(c.Item2 ?? "", Runtime.DissectorFileName),
                State: Runtime.CopyIn(c.Item2, current)))
            .Where(c => c.State != Runtime.InstalledCopy.None).ToList();
        var globalCurrent = copies.Any(c => c.Where == "global" && c.State == Runtime.InstalledCopy.Current);
        var version = info.Version;
        if (scriptsRun)
            ok("Lua scripts", "tshark runs Lua scripts for this user (-X lua_script and the personal plugin folder)");
        else if (globalCurrent)
            io.Out.WriteLine($"note     Lua scripts: tshark {version} ignores -X lua_script and the personal folder "
                + "for this user (root); the global copy is used");
        else
            problem("Lua scripts",
                $"tshark {version} ignores -X lua_script and the personal plugin folder for this user "
                + "(run as root)", "run Dissect as a normal user, or run 'dissect install --global' once");

        if (copies.Count == 0)
        {
            var where = info.PersonalLuaPlugins ?? "no personal folder";
            io.Out.WriteLine($"note     dissector: not installed ({where}); run 'dissect install' to use it in " +
                $"Wireshark");
            return;
        }
        var (plugins, errors) = TsharkLocator.LoadedPlugins(info.Path);
        var luaError = errors.Split('\n')
            .FirstOrDefault(l => l.Contains("Lua", StringComparison.Ordinal) && l.Contains("rror",
                StringComparison.Ordinal));
        if (copies.Count > 1)
            problem("dissector",
                $"installed twice ({string.Join(", ", copies.Select(c => c.File))}); tshark cannot load "
                + "the same protocol twice", "remove one: 'dissect uninstall' or 'dissect uninstall --global'");
        foreach (var (where, file, state) in copies)
        {
            var line = plugins.Split('\n').FirstOrDefault(l => l.Contains(file, StringComparison.Ordinal));
            var install = where == "global" ? "dissect install --global" : "dissect install";
            if (line is null)
                problem($"{where} dissector", $"{file} does not load" + (luaError is null ? ""
                    : $" ({luaError.Trim()})"),
                    where == "personal" && !scriptsRun ? "tshark ignores the personal folder for root: run "
                        + "'dissect install --global'" : $"run '{install}' to replace it");
            else if (state == Runtime.InstalledCopy.Stale)
                problem($"{where} dissector", $"{file} loads but is another version " +
                    $"({line.Split('\t').ElementAtOrDefault(1)})",
                    $"run '{install}' to update it");
            else
                ok($"{where} dissector", $"{file} loads and is current ({Codegen.Lua.LuaViewBuilder.PluginVersion})");
        }
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
                Problem("tshark version",
                    $"{info.Version} is older than {TsharkInfo.Minimum}", "install Wireshark/tshark 4.0 or later");
            if (info.HasLua)
                Ok("Lua", info.LuaVersion == "yes" ? "tshark is built with Lua" : $"Lua {info.LuaVersion}");
            else
                Problem("Lua", "this tshark is built without Lua",
                    "install a tshark built with Lua (Debian's tshark package is)");
        }
        catch (TsharkNotFoundException e)
        {
            Problem("tshark", e.Message, e.Hint);
        }

        if (info is { HasLua: true })
            CheckDissectors(info, Ok, Problem, io);

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
