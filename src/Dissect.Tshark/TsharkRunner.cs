using System.Diagnostics;
using System.Text;

namespace Dissect.Tshark;

/// <summary>One tshark run: read a capture, optionally with a Lua script, and export the given fields as EK JSON
/// lines.</summary>
public sealed record TsharkCommand(
    string TsharkPath,
    string Capture,
    IReadOnlyList<string> Fields,
    string? LuaScript = null,
    string? DisplayFilter = null,
    int? MaxPackets = null,
    TimeSpan? Timeout = null,
    IReadOnlyList<string>? Preferences = null,
    IReadOnlyList<string>? EnableHeuristics = null)
{
    /// <summary>The argument list, one token each: nothing from the capture reaches it, and no shell sees it.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var a = new List<string>();
        if (LuaScript is not null)
            a.AddRange(["-X", "lua_script:" + LuaScript]);
        foreach (var p in Preferences ?? [])
            a.AddRange(["-o", p]);
        foreach (var h in EnableHeuristics ?? [])
            a.AddRange(["--enable-heuristic", h]);
        a.AddRange(["-n", "-r", Capture]);
        if (MaxPackets is { } max)
            a.AddRange(["-c", max.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (DisplayFilter is not null)
            a.AddRange(["-Y", DisplayFilter]);
        a.AddRange(["-T", "ek"]);
        foreach (var f in Fields)
            a.AddRange(["-e", f]);
        return a;
    }

    public string CommandLine => TsharkPath + " " + string.Join(' ', Arguments().Select(Quote));

    private static string Quote(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c)
        || "-_./:=,".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}

/// <summary>
/// Runs tshark as a child process with an argument list, a private home (so a user's own plugins and
/// profile do not change results), streamed stdout, captured stderr, a time-out and cancellation.
/// </summary>
public static class TsharkRunner
{
    private const int ShortRead = 64 * 1024;
    private static readonly TimeSpan ReadPause = TimeSpan.FromMilliseconds(10);

    // Fresh, private and removed at exit: a HOME another user made could hold plugins that tshark would run.
    private static readonly Lazy<string> PrivateHome = new(() => Dissect.IO.PrivateFolders.CreateTemp("dissect-home-"));

    /// <summary>tshark runs in a private home; maps a path it reports back to the user's real home.</summary>
    public static string RealPath(string reported)
    {
        var real = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return reported.StartsWith(PrivateHome.Value,
            StringComparison.Ordinal) ? real + reported[PrivateHome.Value.Length..] : reported;
    }

    public static void Isolate(ProcessStartInfo psi)
    {
        psi.Environment["HOME"] = PrivateHome.Value;
        psi.Environment["XDG_CONFIG_HOME"] = Path.Combine(PrivateHome.Value, ".config");
        psi.Environment["APPDATA"] = PrivateHome.Value;
        psi.Environment["LC_ALL"] = "C.UTF-8";
        // tshark's EK output names each packet's index line by its local date, and glibc, with TZ unset, checks
        // /etc/localtime on every such call: one stat per packet, a seventh of the report pass's CPU on the merged
        // corpus (6.7 -> 5.7 s). Dissect skips the index lines and reads no local time, so records are unchanged.
        psi.Environment["TZ"] = "UTC";
    }

    /// <summary>Streams the EK records (one JSON object per packet) to <paramref name="onRecord"/>.</summary>
    public static async Task RunEkAsync(TsharkCommand cmd, Action<ReadOnlySpan<byte>> onRecord,
        CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(cmd.TsharkPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in cmd.Arguments())
            psi.ArgumentList.Add(a);
        Isolate(psi);

        Process p;
        try
        {
            p = Process.Start(psi)
                ?? throw new TsharkNotFoundException($"cannot start {cmd.TsharkPath}", TsharkLocator.InstallHint);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TsharkNotFoundException($"cannot start {cmd.TsharkPath}: {e.Message}", TsharkLocator.InstallHint);
        }
        using var _ = p;
        // With room for 1 MB, tshark (~10 MB/s of EK on the merged corpus) fills a tenth of it while the reader
        // pauses 10 ms; a faster writer would only wait out the rest of a pause.
        var pause = Dissect.IO.PipeBuffer.Widen(p.StandardOutput.BaseStream) ? ReadPause : TimeSpan.Zero;
        var stderr = new StringBuilder();
        var errTask = Task.Run(async () =>
        {
            var buf = new char[4096];
            int n;
            while ((n = await p.StandardError.ReadAsync(buf, CancellationToken.None)) > 0)
                lock (stderr)
                {
                    stderr.Append(buf, 0, n);
                    if (stderr.Length > 64_000)
                        stderr.Remove(0, stderr.Length - 32_000);
                }
        }, CancellationToken.None);

        using var timeout = new CancellationTokenSource(cmd.Timeout ?? TimeSpan.FromMinutes(30));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            // Blocking reads on a thread of their own: awaiting each pipe read hopped thread-pool threads, whose
            // spinning between reads cost more CPU than parsing the records (21 s against 4 s on 300k packets).
            // Cancelling kills tshark, which ends the read.
            using (linked.Token.Register(() =>
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
            }))
                await Task.Factory.StartNew(() => ReadLines(p.StandardOutput.BaseStream, line =>
                {
                    // EK alternates {"index":…} lines with packet records; only records carry "layers".
                    if (line.Length > 2 && line[2] != (byte)'i')
                        onRecord(line);
                }, pause), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            linked.Token.ThrowIfCancellationRequested();
            await p.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
            if (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
                throw new TsharkException($"tshark did not finish within " +
                    $"{(cmd.Timeout ?? TimeSpan.FromMinutes(30)).TotalSeconds:0} s", -1, cmd.CommandLine, "", "raise " +
                        "--timeout, or limit the work with --max-packets");
            throw;
        }
        await errTask;
        string err;
        lock (stderr)
            err = stderr.ToString();
        if (p.ExitCode != 0)
            throw new TsharkException(Describe(p.ExitCode, err), p.ExitCode, cmd.CommandLine, TsharkLocator.Tail(err),
                HintFor(err, p.ExitCode));
        // tshark exits 0 when a Lua script fails to load: its only trace is on stderr.
        var luaLine = err.Split('\n').FirstOrDefault(l => l.StartsWith("tshark: Lua", StringComparison.Ordinal)
            || l.Contains("Lua: Error", StringComparison.Ordinal));
        if (luaLine is not null)
            throw new TsharkException("the Lua dissector failed to load: " + luaLine.Trim(), p.ExitCode,
                cmd.CommandLine, TsharkLocator.Tail(err),
                    "regenerate it with 'dissect generate' and check tshark has Lua ('dissect doctor')");
    }

    private static string Describe(int code, string err)
    {
        var lines = err.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("Running as user",
            StringComparison.Ordinal)).ToList();
        if (lines.Count == 0)
            return $"tshark failed with exit code {code}";
        // tshark puts the detail of a file error, "(pcap: network type 9999 unknown or unsupported)", on the next line.
        var text = lines.Count > 1 && lines[1].StartsWith('(') ? lines[0] + " " + lines[1] : lines[0];
        return "tshark failed: " + (text.StartsWith("tshark: ", StringComparison.Ordinal) ? text[8..] : text);
    }

    private static string HintFor(string err, int code)
    {
        if (err.Contains("isn't a capture file", StringComparison.Ordinal) || err.Contains("unknown format",
            StringComparison.Ordinal))
            return "the file is not in a capture format tshark reads";
        if (err.Contains("doesn't support", StringComparison.Ordinal) || err.Contains("unknown or unsupported",
            StringComparison.Ordinal))
            return "the capture's link type is not one tshark can decode; re-capture on a standard interface or " +
                "convert it with editcap -T";
        if (err.Contains("cut short", StringComparison.Ordinal) || err.Contains("truncated", StringComparison.Ordinal))
            return "the capture is truncated; the packets before the cut were read";
        if (err.Contains("Permission denied", StringComparison.Ordinal))
            return "check the file's permissions";
        if (err.Contains("aren't valid", StringComparison.Ordinal) || err.Contains("isn't a valid",
            StringComparison.Ordinal))
            return "a field or filter name is unknown to this tshark; run 'dissect doctor'";
        if (code is 137 or 139 or -9 or -11)
            return "tshark was killed or crashed; try again or limit the work with --max-packets";
        return "run the command that 'dissect analyze --show-tshark-command CAPTURE' prints to see tshark's own output";
    }

    /// <summary>Splits a byte stream into lines without decoding it to strings, reading as data comes
    /// (blocking).</summary>
    public static void ReadLines(Stream s, Action<ReadOnlySpan<byte>> onLine, TimeSpan pause = default)
    {
        var buf = new byte[1 << 20];
        int start = 0, end = 0;
        while (true)
        {
            if (end == buf.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                }
                else
                {
                    Array.Resize(ref buf, buf.Length * 2);
                }
            }
            var n = s.Read(buf.AsSpan(end));
            if (n == 0)
                break;
            // A short read means the reader caught up with tshark: waiting a moment before the next one lets the
            // pipe fill, so one wake-up takes many records instead of tshark's every 4 KB write.
            if (pause > TimeSpan.Zero && n < ShortRead)
                Thread.Sleep(pause);
            var scanFrom = end;
            end += n;
            int nl;
            while ((nl = Array.IndexOf(buf, (byte)'\n', scanFrom, end - scanFrom)) >= 0)
            {
                onLine(buf.AsSpan(start, nl - start));
                start = nl + 1;
                scanFrom = start;
            }
            if (start == end)
                start = end = 0;
        }
        if (end > start)
            onLine(buf.AsSpan(start, end - start));
    }
}
