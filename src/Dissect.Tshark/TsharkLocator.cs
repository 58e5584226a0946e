using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dissect.Tshark;

/// <summary>What Dissect knows about the tshark it will run.</summary>
public sealed record TsharkInfo(string Path, Version Version, string VersionText, bool HasLua, string? LuaVersion, IReadOnlyDictionary<string, string> Folders)
{
    public static readonly Version Minimum = new(4, 0);

    /// <summary>The personal Lua plugin folder tshark reads (from <c>tshark -G folders</c>).</summary>
    public string? PersonalLuaPlugins => Folders.TryGetValue("Personal Lua Plugins", out var p) ? p
        : Folders.TryGetValue("Personal Plugins", out var q) ? q : null;
}

/// <summary>Finds tshark: an explicit path, then DISSECT_TSHARK, then PATH.</summary>
public static partial class TsharkLocator
{
    public const string EnvironmentVariable = "DISSECT_TSHARK";
    public const string InstallHint = "install it with 'sudo apt-get install tshark' (Debian/Ubuntu), 'brew install wireshark' (macOS) or the Wireshark installer (Windows), or pass --tshark PATH";

    public static string Find(string? explicitPath, string? pathVariable = null, string? envValue = null)
    {
        if (!string.IsNullOrEmpty(explicitPath))
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath)
                : throw new TsharkNotFoundException($"tshark not found at {explicitPath}", "check the --tshark path, or " + InstallHint);
        var env = envValue ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
            return File.Exists(env) ? Path.GetFullPath(env)
                : throw new TsharkNotFoundException($"tshark not found at {env} (from {EnvironmentVariable})", $"fix or unset {EnvironmentVariable}");
        var names = OperatingSystem.IsWindows() ? new[] { "tshark.exe" } : ["tshark"];
        var dirs = (pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
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
    /// <param name="folders">Also ask for the folders (a second tshark start; only doctor and install need them).</param>
    public static TsharkInfo Inspect(string path, TimeSpan? timeout = null, bool folders = true)
    {
        var (code, version, err) = RunSmall(path, ["-v"], timeout);
        if (code != 0)
            throw new TsharkNotFoundException($"{path} -v failed with exit code {code}: {Tail(err)}", "reinstall tshark, or pass another --tshark");
        var m = VersionRegex().Match(version);
        if (!m.Success)
            throw new TsharkNotFoundException($"cannot read a version from '{path} -v'", "check that --tshark points at tshark");
        var v = new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
        var lua = LuaRegex().Match(version);
        var hasLua = lua.Success && !version.Contains("without Lua", StringComparison.OrdinalIgnoreCase);
        var folderText = folders ? RunSmall(path, ["-G", "folders"], timeout).Out : "";
        var dict = new Dictionary<string, string>();
        foreach (var line in folderText.Split('\n'))
        {
            var parts = line.TrimEnd('\r').Split(':', 2);
            if (parts.Length == 2 && !dict.ContainsKey(parts[0].Trim()))
                dict[parts[0].Trim()] = TsharkRunner.RealPath(parts[1].Trim());
        }
        return new TsharkInfo(path, v, version.Split('\n')[0].Trim(), hasLua, hasLua ? (lua.Groups[1].Value.Length > 0 ? lua.Groups[1].Value : "yes") : null, dict);
    }

    /// <summary>
    /// <see cref="Inspect"/> without folders, remembered per tshark binary (path, size and time) in the temp
    /// folder: each 'dissect analyze' would otherwise start tshark once more just to read its version.
    /// </summary>
    public static TsharkInfo InspectCached(string path)
    {
        var fi = new FileInfo(path);
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{fi.FullName}|{fi.Length}|{fi.LastWriteTimeUtc.Ticks}")))[..16];
        var cache = Path.Combine(Path.GetTempPath(), $"dissect-tshark-{key}.txt");
        try
        {
            if (File.Exists(cache))
            {
                var lines = File.ReadAllLines(cache);
                if (lines.Length == 4 && Version.TryParse(lines[0], out var v))
                    return new TsharkInfo(path, v, lines[1], lines[2] == "1", lines[3].Length == 0 ? null : lines[3], new Dictionary<string, string>());
            }
        }
        catch (IOException)
        {
            // A cache we cannot read is simply rebuilt.
        }
        var info = Inspect(path, folders: false);
        try
        {
            var tmp = cache + "." + Environment.ProcessId + ".tmp";
            File.WriteAllLines(tmp, [info.Version.ToString(), info.VersionText, info.HasLua ? "1" : "0", info.LuaVersion ?? ""]);
            File.Move(tmp, cache, overwrite: true);
        }
        catch (IOException)
        {
            // Caching is an optimisation only.
        }
        return info;
    }

    private static (int Code, string Out, string Err) RunSmall(string path, string[] args, TimeSpan? timeout)
    {
        var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        TsharkRunner.Isolate(psi);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
            {
                p.Kill(entireProcessTree: true);
                throw new TsharkNotFoundException($"{path} {string.Join(' ', args)} did not answer", "check that --tshark points at tshark");
            }
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TsharkNotFoundException($"cannot run {path}: {e.Message}", "check that the file is an executable tshark");
        }
    }

    internal static string Tail(string s, int max = 400) => s.Length <= max ? s.Trim() : "…" + s[^max..].Trim();

    [GeneratedRegex(@"TShark \(Wireshark\) (\d+)\.(\d+)\.(\d+)")]
    private static partial Regex VersionRegex();

    [GeneratedRegex(@"with (?:Lua|LuaJIT)\b ?([0-9.]*)")]
    private static partial Regex LuaRegex();
}
