using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dissect.Tshark;

/// <summary>What Dissect knows about the tshark it will run.</summary>
public sealed record TsharkInfo(string Path, Version Version, string VersionText, bool HasLua, string? LuaVersion,
    IReadOnlyDictionary<string, string> Folders)
{
    public static readonly Version Minimum = new(4, 0);

    public const string GlobalLuaFolderKey = "Global Lua Plugins";

    /// <summary>Whether tshark runs a script given with <c>-X lua_script</c> for this user (4.4+ run as root do
    /// not).</summary>
    public bool? LuaScriptsRun { get; init; }

    /// <summary>The global Lua plugin folder, which tshark loads even as root (from <c>tshark -G
    /// folders</c>).</summary>
    public string? GlobalLuaPlugins => Folders.TryGetValue(GlobalLuaFolderKey, out var p) ? p : null;

    /// <summary>The personal Lua plugin folder tshark reads (from <c>tshark -G folders</c>).</summary>
    public string? PersonalLuaPlugins => Folders.TryGetValue("Personal Lua Plugins", out var p) ? p
        : Folders.TryGetValue("Personal Plugins", out var q) ? q : null;
}

/// <summary>Finds tshark: an explicit path, then DISSECT_TSHARK, then PATH.</summary>
public static partial class TsharkLocator
{
    public const string EnvironmentVariable = "DISSECT_TSHARK";
    public const string InstallHint =
        "install it with 'sudo apt-get install tshark' (Debian/Ubuntu), 'brew install wireshark' (macOS) or the " +
            "Wireshark installer (Windows), or pass --tshark PATH";

    public static string Find(string? explicitPath, string? pathVariable = null, string? envValue = null)
    {
        if (!string.IsNullOrEmpty(explicitPath))
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath)
                : throw new TsharkNotFoundException($"tshark not found at {explicitPath}", "check the --tshark path, " +
                    "or " + InstallHint);
        var env = envValue ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
            return File.Exists(env) ? Path.GetFullPath(env)
                : throw new TsharkNotFoundException($"tshark not found at {env} (from {EnvironmentVariable})", $"fix " +
                    $"or unset {EnvironmentVariable}");
        var names = OperatingSystem.IsWindows() ? new[] { "tshark.exe" } : ["tshark"];
        var dirs = (pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator,
            StringSplitOptions.RemoveEmptyEntries).ToList();
        if (OperatingSystem.IsWindows())
            dirs.Add(@"C:\Program Files\Wireshark");
        if (OperatingSystem.IsMacOS())
            dirs.Add("/Applications/Wireshark.app/Contents/MacOS");
        foreach (var dir in dirs)
            foreach (var n in names)
            {
                var candidate = Path.Combine(dir, n);
                if (File.Exists(candidate))
                    return candidate;
            }
        throw new TsharkNotFoundException("tshark not found on PATH", InstallHint);
    }

    /// <summary>Runs <c>tshark -v</c> and <c>tshark -G folders</c> in a private home.</summary>
    /// <param name="folders">Also ask for the folders (a second tshark start; only doctor and install need
    /// them).</param>
    public static TsharkInfo Inspect(string path, TimeSpan? timeout = null, bool folders = true)
    {
        var (code, version, err) = RunSmall(path, ["-v"], timeout);
        if (code != 0)
            throw new TsharkNotFoundException($"{path} -v failed with exit code {code}: {Tail(err)}", "reinstall " +
                "tshark, or pass another --tshark");
        var m = VersionRegex().Match(version);
        if (!m.Success)
            throw new TsharkNotFoundException($"cannot read a version from '{path} -v'", "check that --tshark points " +
                "at tshark");
        var v = new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
        var lua = LuaRegex().Match(version);
        var hasLua = lua.Success && !version.Contains("without Lua", StringComparison.OrdinalIgnoreCase)
            && !version.Contains("-Lua", StringComparison.Ordinal);
        var folderText = folders ? RunSmall(path, ["-G", "folders"], timeout).Out : "";
        var dict = new Dictionary<string, string>();
        foreach (var line in folderText.Split('\n'))
        {
            var parts = line.TrimEnd('\r').Split(':', 2);
            if (parts.Length == 2 && !dict.ContainsKey(parts[0].Trim()))
                dict[parts[0].Trim()] = TsharkRunner.RealPath(parts[1].Trim());
        }
        return new TsharkInfo(path, v, version.Split('\n')[0].Trim(), hasLua,
            hasLua ? (lua.Groups[1].Value.Length > 0 ? lua.Groups[1].Value : "yes") : null, dict);
    }

    /// <summary>
    /// <see cref="Inspect"/> with the global Lua folder and whether Lua scripts run, remembered per tshark binary
    /// (path, size, time) and user in Dissect's private per-user cache: each 'dissect analyze' would otherwise start
    /// tshark three more times.
    /// </summary>
    public static TsharkInfo InspectCached(string path)
    {
        var fi = new FileInfo(path);
        var id = $"{fi.FullName}|{fi.Length}|{fi.LastWriteTimeUtc.Ticks}|{Environment.UserName}";
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id));
        var key = Convert.ToHexStringLower(hash)[..16];
        var cacheDir = Dissect.IO.PrivateFolders.UserCache();
        var cache = cacheDir is null ? null : Path.Combine(cacheDir, $"tshark-{key}.txt");
        try
        {
            if (cache is not null && File.Exists(cache) && Dissect.IO.PrivateFolders.IsPrivate(cache, directory: false))
            {
                var lines = File.ReadAllLines(cache);
                if (lines.Length == 6 && Version.TryParse(lines[0], out var v))
                {
                    var folders = new Dictionary<string, string>();
                    if (lines[4].Length > 0)
                        folders[TsharkInfo.GlobalLuaFolderKey] = lines[4];
                    return new TsharkInfo(path, v, lines[1], lines[2] == "1", lines[3].Length == 0 ? null : lines[3],
                        folders)
                    { LuaScriptsRun = lines[5] == "1" };
                }
            }
        }
        catch (IOException)
        {
            // A cache we cannot read is simply rebuilt.
        }
        var info = Inspect(path, folders: true);
        info = info with { LuaScriptsRun = info.HasLua && LuaScriptsRunFor(path) };
        if (cache is null)
            return info;
        try
        {
            Dissect.IO.AtomicFile.WriteAllText(cache, string.Join('\n', info.Version.ToString(), info.VersionText,
                info.HasLua ? "1" : "0", info.LuaVersion ?? "", info.GlobalLuaPlugins ?? "",
                    info.LuaScriptsRun == true ? "1" : "0") + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Caching is an optimisation only.
        }
        return info;
    }

    /// <summary>
    /// Loads a one-line probe script and asks tshark whether it registered: tshark 4.4 and later, run as root,
    /// skip every <c>-X lua_script</c> without a word, so the absence of an error proves nothing.
    /// </summary>
    public static bool LuaScriptsRunFor(string path, TimeSpan? timeout = null)
    {
        var dir = Dissect.IO.PrivateFolders.CreateTemp("dissect-probe-");
        try
        {
            var probe = Path.Combine(dir, "dissect_probe.lua");
            File.WriteAllText(probe, "local p = Proto(\"dissectprobe\", \"Dissect probe\")\n");
            var (code, output, _) = RunSmall(path, ["-G", "protocols", "-X", "lua_script:" + probe], timeout);
            // Rows are "name, short name, filter name" (4.4+ add columns after them).
            return code == 0 && output.Split('\n').Any(l => l.Split('\t') is { Length: >= 3 } c
                && c[2].TrimEnd('\r') == "dissectprobe");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// <c>tshark -G plugins</c> as the user runs it (their own HOME, so their personal plugins load too): which Lua
    /// plugins load, with their versions, and any Lua error on stderr.
    /// </summary>
    public static (string Plugins, string Errors) LoadedPlugins(string path) =>
        RunSmall(path, ["-G", "plugins"], null, isolate: false) is var (_, o, e) ? (o, e) : default;

    private static (int Code, string Out, string Err) RunSmall(string path, string[] args, TimeSpan? timeout,
        bool isolate = true)
    {
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (isolate)
            TsharkRunner.Isolate(psi);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
            {
                p.Kill(entireProcessTree: true);
                throw new TsharkNotFoundException($"{path} {string.Join(' ', args)} did not answer", "check that " +
                    "--tshark points at tshark");
            }
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TsharkNotFoundException($"cannot run {path}: {e.Message}", "check that the file is an " +
                "executable tshark");
        }
    }

    /// <summary>The one line for a tshark that will not run Lua scripts for this user (4.4 and later, as
    /// root).</summary>
    public static TsharkNotFoundException LuaIgnoredAsRoot(string version) => new(
        $"tshark {version} run as root ignores Lua scripts, so the MS-TURN dissector cannot load",
        "run Dissect as a normal user, or run 'dissect install --global' once (tshark loads its global Lua plugin " +
            "folder even as root)");

    internal static string Tail(string s, int max = 400) => s.Length <= max ? s.Trim() : "…" + s[^max..].Trim();

    [GeneratedRegex(@"TShark \(Wireshark\) (\d+)\.(\d+)\.(\d+)")]
    private static partial Regex VersionRegex();

    // "with Lua 5.2.4" up to 4.4, "+Lua 5.4.9" in the feature list of 4.6.
    [GeneratedRegex(@"(?:with |\+)(?:Lua|LuaJIT)\b ?([0-9.]*)")]
    private static partial Regex LuaRegex();
}
