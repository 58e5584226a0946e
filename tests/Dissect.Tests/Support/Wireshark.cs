using System.Reflection;
using Xunit.Sdk;

namespace Dissect.Tests.Support;

/// <summary>
/// One Wireshark of the test matrix: the host's tshark (Debian 12: 4.0, Lua 5.2), or the real tshark of a Debian root
/// built by <c>scripts/wireshark-roots.sh</c> (trixie: 4.4, forky: 4.6, both Lua 5.4), run there as an unprivileged
/// user
/// through <c>tests/tools/tshark-in-root</c>.
/// </summary>
public sealed class Wireshark
{
    public const string Host = "4.0";
    public static readonly IReadOnlyList<string> Versions = [Host, "4.4", "4.6"];
    private static readonly Dictionary<string, string> Suites = new() { ["4.4"] = "trixie", ["4.6"] = "forky" };
    private static readonly Dictionary<string, Wireshark> Cache = [];

    public string Version { get; }

    /// <summary>The root folder, or null for the host's tshark.</summary>
    public string? RootDir { get; }

    /// <summary>Why this version cannot run here; null when it can.</summary>
    public string? SkipReason { get; }

    private Wireshark(string version, string? root, string? skip) => (Version, RootDir, SkipReason) = (version, root,
        skip);

    public static string RootsFolder
    {
        get
        {
            var set = Environment.GetEnvironmentVariable("DISSECT_ROOTS");
            if (!string.IsNullOrEmpty(set))
                return set;
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(cache))
                cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "dissect", "wireshark-roots");
        }
    }

    public static Wireshark Get(string version)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(version, out var w))
                Cache[version] = w = Create(version);
            return w;
        }
    }

    private static Wireshark Create(string version)
    {
        if (version == Host)
            return new Wireshark(version, null, null);
        var suite = Suites[version];
        var root = Path.Combine(RootsFolder, suite);
        if (!File.Exists(Path.Combine(root, "usr", "bin", "tshark")))
        {
            // ./test.sh writes why it could not build the root (no root rights, Debian's archive unreachable…).
            var why = Path.Combine(RootsFolder, suite + ".unavailable");
            var reason = File.Exists(why) ? File.ReadAllText(why).Trim()
                : $"no {suite} root at {root}: run 'sudo scripts/wireshark-roots.sh {suite}' (or ./test.sh as root)";
            return new Wireshark(version, null, $"Wireshark {version} not tested: {reason}");
        }
        if (Environment.UserName != "root")
            return new Wireshark(version, null, $"Wireshark {version} not tested: chroot into {root} needs root");
        return new Wireshark(version, root, null);
    }

    /// <summary>The tshark executable Dissect can be pointed at (<c>--tshark</c>), with any fixed leading
    /// arguments.</summary>
    public (string Exe, string[] Prefix) Command => RootDir is null
        ? ("tshark", [])
        : (Path.Combine(Repo.Root, "tests", "tools", "tshark-in-root"), [RootDir]);

    /// <summary>Runs this tshark in a private HOME; file arguments are copied into the root when there is
    /// one.</summary>
    public Proc.Result Tshark(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? env = null)
    {
        var (exe, prefix) = Command;
        var home = Repo.TempDir("home");
        try
        {
            var e = new Dictionary<string, string?>
            {
                ["HOME"] = home,
                ["XDG_CONFIG_HOME"] = Path.Combine(home,
                ".config")
            };
            foreach (var (k, v) in env ?? new Dictionary<string, string?>())
                e[k] = v;
            return Proc.Run(exe, [.. prefix, .. args], e);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>
    /// A folder holding an executable named <c>tshark</c> that runs this version, for Dissect's <c>--tshark</c> and for
    /// tools that look on PATH. For a root: <paramref name="user"/> runs it as another user of the root (root, say),
    /// and
    /// <paramref name="globalLua"/> stands in for its global Lua plugin folder (see tests/tools/tshark-in-root).
    /// </summary>
    public string ShimFolder(string? user = null, string? globalLua = null)
    {
        var dir = Repo.TempDir("shim-" + Version);
        var shim = Path.Combine(dir, "tshark");
        var (exe, prefix) = Command;
        var env = (user is null ? "" : $"DISSECT_ROOT_USER={user} ") + (globalLua is null ? ""
            : $"DISSECT_ROOT_GLOBAL_LUA='{globalLua}' ");
        // The host's tshark by its full path: a bare 'tshark' would find this shim again on PATH.
        var target = RootDir is null
            ? $"exec '{HostTshark()}' \"$@\""
            : $"{env}exec '{exe}' '{prefix[0]}' \"$@\"";
        Executable.Write(shim, "#!/bin/sh\n" + target + "\n");
        return dir;
    }

    private static string HostTshark() =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "tshark"))
            .First(File.Exists);

    public override string ToString() => Version;
}

/// <summary>
/// One row of a test for one Wireshark version. Put one per version on a <c>[Theory]</c>: a version that cannot run
/// here is skipped with its reason (never passed silently).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class OnWiresharkAttribute(string version) : DataAttribute
{
    /// <summary>The test also needs the shared capture corpus.</summary>
    public bool Corpus { get; set; }

    public override string? Skip
    {
        get => Wireshark.Get(version).SkipReason
            ?? (Corpus && !Repo.CorpusAvailable ? $"capture corpus not found at {Repo.Corpus}" : null);
        set { }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[version]];
}
