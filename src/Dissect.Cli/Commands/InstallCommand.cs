using Dissect.IO;
using System.CommandLine;
using Dissect.Codegen.Lua;
using Dissect.Schema.Protocols;
using Dissect.Tshark;

namespace Dissect.Cli.Commands;

/// <summary>
/// Copies the generated dissector into Wireshark's personal Lua plugin folder, or with --global into the global one
/// (the only one tshark 4.4 and later load when run as root), or removes it.
/// </summary>
public static class InstallCommand
{
    public static Command Create(ConsoleIo io, bool install)
    {
        var dir = new Option<string?>("--dir")
        {
            Description =
            "Plugin folder; without it, tshark's personal Lua plugin folder from 'tshark -G folders'"
        };
        var global = new Option<bool>("--global")
        {
            Description =
                "Use tshark's global Lua plugin folder instead (for all users, and for tshark 4.4+ run as root; " +
                    "needs write access there)",
        };
        var tshark = DoctorCommand.TsharkOption();
        var cmd = new Command(install ? "install" : "uninstall",
            install ? "Install the MS-TURN dissector into Wireshark's personal (or --global) Lua plugin folder"
                : "Remove the MS-TURN dissector from the personal (or --global) plugin folder") { dir, global, tshark };
        cmd.SetAction(pr =>
        {
            string folder;
            try
            {
                folder = pr.GetValue(dir)
                    ?? (pr.GetValue(global) ? GlobalFolder(pr.GetValue(tshark)) : PluginFolder(pr.GetValue(tshark)));
            }
            catch (DissectException e)
            {
                return io.Fail($"{e.Message}; {e.Hint}", ExitCodes.ToolMissing);
            }
            var target = Path.Combine(folder, LuaGenerator.OutputFileName(MsTurn.Spec));
            try
            {
                if (!install)
                {
                    if (!File.Exists(target))
                    {
                        io.Out.WriteLine($"nothing to remove: {target} does not exist");
                        return ExitCodes.Ok;
                    }
                    File.Delete(target);
                    io.Out.WriteLine($"removed {target}");
                    return ExitCodes.Ok;
                }
                var text = new LuaGenerator().Generate(MsTurn.Spec);
                var existed = File.Exists(target);
                if (existed && File.ReadAllText(target) == text)
                {
                    io.Out.WriteLine($"{target} is already current");
                    return ExitCodes.Ok;
                }
                Directory.CreateDirectory(folder);
                AtomicFile.WriteAllText(target, text);
                io.Out.WriteLine(existed ? $"replaced {target} (it held another version)" : $"installed {target}");
                io.Out.WriteLine("restart Wireshark (or reload Lua plugins with Ctrl+Shift+L) to use it; filter with " +
                    "'msturn'");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return io.Fail(pr.GetValue(global)
                    ? $"cannot write {target}: {e.Message}; the global folder needs root: run 'sudo dissect install " +
                        $"--global'"
                    : $"cannot write {target}: {e.Message}; choose another folder with --dir");
            }
        });
        return cmd;
    }

    /// <summary>The global Lua plugin folder tshark reports (<c>tshark -G folders</c>).</summary>
    public static string GlobalFolder(string? tsharkPath) =>
        TsharkLocator.Inspect(TsharkLocator.Find(tsharkPath)).GlobalLuaPlugins
        ?? throw new TsharkNotFoundException("tshark -G folders names no global Lua plugin folder",
            "pass the folder with --dir");

    /// <summary>The personal Lua plugin folder tshark reports; falls back to each platform's documented
    /// default.</summary>
    public static string PluginFolder(string? tsharkPath)
    {
        try
        {
            var info = TsharkLocator.Inspect(TsharkLocator.Find(tsharkPath));
            if (info.PersonalLuaPlugins is { } p)
                return p;
        }
        catch (TsharkNotFoundException) when (tsharkPath is null)
        {
            // Installing for Wireshark does not need tshark: use the platform default below.
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "Wireshark",
                "plugins");
        return Path.Combine(home, ".local", "lib", "wireshark", "plugins");
    }
}
