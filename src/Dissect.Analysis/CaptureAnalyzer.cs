using System.Security.Cryptography;
using System.Text.Json;
using Dissect.Tshark;

namespace Dissect.Analysis;

/// <param name="DisplayFilter">A Wireshark display filter: the report covers only the packets that match it, as a
/// filtered view in Wireshark does.</param>
public sealed record AnalyzeOptions(
    string TsharkPath, string? LuaScript, string TsharkVersion, int? MaxPackets = null, TimeSpan? Timeout = null,
    string? DisplayFilter = null);

/// <summary>Packets read so far by a running analysis, for a live progress line; read from another thread.</summary>
public sealed class AnalysisProgress
{
    private long _packets;

    public long Packets => Interlocked.Read(ref _packets);

    internal void Set(long packets) => Interlocked.Exchange(ref _packets, packets);

    /// <summary>Time each stage, for 'analyze --stats': a stopwatch around the EK parsing and each analyzer.</summary>
    public bool Profile { get; set; }

    /// <summary>With <see cref="Profile"/>: seconds spent per stage ("parse", then each analyzer, "build"), read
    /// once the analysis is over.</summary>
    public IReadOnlyList<(string Stage, double Seconds)> Stages { get; internal set; } = [];
}

/// <summary>A display filter tshark does not accept; a usage error.</summary>
public sealed class DisplayFilterException(string message, string hint) : DissectException(message, hint);

/// <summary>A capture file Dissect cannot read; the message says what is wrong and what to do.</summary>
public sealed class CaptureFileException(string message, string hint) : DissectException(message, hint);

/// <summary>A report model file Dissect cannot use (not JSON, another schema version, sections missing).</summary>
public sealed class ModelFileException(string message, string hint) : DissectException(message, hint);

/// <summary>One capture in, one report model out, in a single tshark pass.</summary>
public static class CaptureAnalyzer
{
    public static string DissectVersion => typeof(CaptureAnalyzer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static string CheckCaptureFile(string path)
    {
        if (Directory.Exists(path))
            throw new CaptureFileException("is a directory, not a capture file",
                "give a .pcap or .pcapng file, or use 'dissect batch' for folders");
        if (!File.Exists(path))
            throw new CaptureFileException("does not exist", WindowsPath(path)
                ? "this looks like a Windows path; under WSL the C: drive is /mnt/c/…, with forward slashes"
                : "check the path");
        var info = new FileInfo(path);
        if (info.Length == 0)
            throw new CaptureFileException("is empty", "give a capture with packets");
        Span<byte> magic = stackalloc byte[4];
        using (var f = File.OpenRead(path))
            if (f.Read(magic) < 4)
                throw new CaptureFileException("is too short to be a capture", "give a .pcap or .pcapng file");
        return FormatOf(magic);
    }

    /// <summary>
    /// Whether tshark read the record as a whole file rather than a packet: files that are not captures (a header it
    /// cannot parse, MP4 or image files: "mime_dlt" or no protocol; text that parses as JSON, even a few bytes of
    /// white space: "json"; PEM: "rfc7468") come out as one record of the whole file.
    /// </summary>
    private static bool IsWholeFileRecord(string protocols) => protocols.Length == 0
        || protocols.StartsWith("mime_dlt", StringComparison.Ordinal)
        || FirstLayer(protocols) is "json" or "rfc7468";

    /// <summary>The link layer: the first of frame.protocols' layers.</summary>
    private static string FirstLayer(string protocols) =>
        protocols.IndexOf(':', StringComparison.Ordinal) is var i and > 0 ? protocols[..i] : protocols;

    private static bool IsCaptureMagic(string format) => format.StartsWith("pcap", StringComparison.Ordinal);

    private static bool WindowsPath(string path) =>
        !OperatingSystem.IsWindows() && (path.Contains('\\') || (path.Length > 2 && char.IsAsciiLetter(path[0])
            && path[1] == ':'));

    /// <summary>
    /// The format's name from its first bytes, for the report. Dissect is never stricter than tshark: a file whose
    /// magic is not listed here is still given to tshark, which knows many more formats and says when it cannot.
    /// </summary>
    public static string FormatOf(ReadOnlySpan<byte> magic)
    {
        if (magic.Length >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            return "gzip-compressed capture";   // tshark reads compressed captures itself, whatever the name
        if (magic.StartsWith("GMBU"u8)) return "Network Monitor 2";
        if (magic.StartsWith("RTSS"u8)) return "Network Monitor 1";
        if (magic.StartsWith("snoo"u8)) return "snoop";
        if (magic.Length < 4) return "read by tshark";
        return BitConverter.ToUInt32(magic) switch
        {
            0x0A0D0D0A => "pcapng",
            0xA1B2C3D4 or 0xD4C3B2A1 => "pcap",
            0xA1B23C4D or 0x4D3CB2A1 => "pcap (nanosecond)",
            0xA1B2CD34 or 0x34CDB2A1 => "pcap (modified)",
            0xFD2FB528 => "zstd-compressed capture",
            0x184D2204 => "lz4-compressed capture",
            _ => "read by tshark",
        };
    }

    /// <summary>The union of the fields every analyzer declares: the single tshark pass exports exactly
    /// these.</summary>
    public static IReadOnlyList<string> Fields(IEnumerable<IAnalyzer> analyzers) =>
        Packet.CoreFields
            .Concat(analyzers.SelectMany(a => a.Fields)).Distinct().ToList();

    /// <summary>
    /// The analyzers of one analysis, registered in this one place: the tshark command exports the fields they
    /// declare, and every packet goes to each, in this order.
    /// </summary>
    private sealed class AnalyzerSet
    {
        public DnsAnalyzer Dns { get; } = new();
        public TlsAnalyzer Tls { get; } = new();
        public NetworkAnalyzer Net { get; } = new();
        public StunAnalyzer Stun { get; } = new();
        public TrafficAnalyzer Traffic { get; } = new();
        public IAnalyzer[] All => [Dns, Tls, Net, Stun, Traffic];
    }

    /// <summary>The tshark command <see cref="AnalyzeAsync"/> runs for a capture.</summary>
    public static TsharkCommand Command(string capture, AnalyzeOptions options) =>
        new(options.TsharkPath, capture, Fields(new AnalyzerSet().All),
            options.LuaScript, DisplayFilter: options.DisplayFilter, MaxPackets: options.MaxPackets,
                Timeout: options.Timeout,
            EnableHeuristics: Heuristics,
            Preferences: Preferences);

    /// <summary>
    /// Out-of-order TCP segments are put back in order before TLS sees them. Without it a retransmitted or reordered
    /// ServerHello is lost (6 % of them in the corpus), and the answer depended on the Wireshark version's default.
    /// </summary>
    public static readonly IReadOnlyList<string> Preferences = ["tcp.reassemble_out_of_order:TRUE"];

    private static readonly string MsTurnFieldPrefix =
        new Schema.FilterNames(Schema.Protocols.MsTurn.Spec).Prefix + ".";

    /// <summary>
    /// Heuristics tshark leaves off by default: RTP on UDP (without it direct media would show as plain UDP), and RTP
    /// and STUN inside standard TURN (ChannelData, Send and Data indications): relayed media then shows its SSRCs, and
    /// an ICE check relayed through TURN shows as STUN, not as media.
    /// </summary>
    public static readonly IReadOnlyList<string> Heuristics = ["rtp_udp", "rtp_stun", "stun_turn"];

    public static Task<ReportModel> AnalyzeAsync(string capture, AnalyzeOptions options,
        CancellationToken ct = default) =>
        AnalyzeAsync(capture, options, null, ct);

    /// <param name="sha256">The capture's hash when the caller already computed it (a batch does, for its
    /// stamps).</param>
    public static async Task<ReportModel> AnalyzeAsync(string capture, AnalyzeOptions options, string? sha256,
        CancellationToken ct,
        AnalysisProgress? progress = null)
    {
        var format = CheckCaptureFile(capture);
        var set = new AnalyzerSet();
        var (dns, tls, net, stun, traffic) = (set.Dns, set.Tls, set.Net, set.Stun, set.Traffic);
        var analyzers = set.All;
        var fields = Fields(analyzers);
        var keyToField = fields.ToDictionary(EkRecord.KeyOf, f => f, StringComparer.Ordinal);
        var record = new EkRecord();
        // Hash the file while tshark reads it: both are I/O, neither should wait for the other.
        var hashing = sha256 is null ? Sha256Async(capture, ct) : Task.FromResult(sha256);
        var linkTypes = new SortedSet<string>(StringComparer.Ordinal);
        long packets = 0, bytes = 0, mimeOnly = 0, implausible = 0;
        string? implausibleExample = null;
        double? first = null, last = null;

        var profile = progress?.Profile == true;
        var ticks = new long[analyzers.Length + 2];
        var cmd = Command(capture, options);
        string? warning = null;
        var truncated = false;
        try
        {
            await TsharkRunner.RunEkAsync(cmd, line =>
            {
                var t0 = profile ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
                record.Load(line, keyToField);
                if (profile)
                    ticks[0] += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
                var p = new Packet(record);
                packets++;
                if ((packets & 1023) == 0)
                    progress?.Set(packets);
                bytes += p.Length;
                if (p.ImplausibleLength)
                {
                    implausible++;
                    implausibleExample ??= $"frame {p.Long("frame.number")}: original length {p.Long("frame.len")}";
                }
                var t = p.Time;
                if (first is null || t < first) first = t;
                if (last is null || t > last) last = t;
                var protos = p.Protocols;
                linkTypes.Add(FirstLayer(protos));
                if (IsWholeFileRecord(protos))
                    mimeOnly++;
                if (!profile)
                {
                    foreach (var a in analyzers)
                        a.Add(p);
                    return;
                }
                for (var k = 0; k < analyzers.Length; k++)
                {
                    var ta = System.Diagnostics.Stopwatch.GetTimestamp();
                    analyzers[k].Add(p);
                    ticks[k + 1] += System.Diagnostics.Stopwatch.GetTimestamp() - ta;
                }
            }, ct);
        }
        catch (TsharkException e) when (e.StderrTail.Contains("aren't valid", StringComparison.Ordinal)
            && e.StderrTail.Contains(MsTurnFieldPrefix, StringComparison.Ordinal))
        {
            // The positive sign that the dissector registered is that tshark accepts its fields; never report without
            // it.
            throw e.StderrTail.Contains("Running as user \"root\"", StringComparison.Ordinal)
                ? TsharkLocator.LuaIgnoredAsRoot(options.TsharkVersion)
                : new TsharkNotFoundException("the MS-TURN dissector did not register in tshark, so its fields are " +
                    "unknown",
                    "run 'dissect doctor' to see whether Lua scripts run for this user and which copy of the " +
                        "dissector loads");
        }
        catch (TsharkException e) when (options.DisplayFilter is not null && packets == 0 && e.ExitCode == 2
            && !e.StderrTail.Contains("The file", StringComparison.Ordinal))
        {
            // tshark checks the filter before it reads a packet, and exits 2 when it is not valid.
            var reason = e.StderrTail.Split('\n').Select(l => l.Trim())
                .FirstOrDefault(l => l.StartsWith("tshark: ", StringComparison.Ordinal))?[8..] ?? "tshark rejects it";
            throw new DisplayFilterException($"invalid display filter '{options.DisplayFilter}': {reason}",
                "write it as in Wireshark's filter bar, for example -Y 'dns || stun'");
        }
        catch (TsharkException e) when (Damage(e.StderrTail) is { } damage)
        {
            // What tshark read before the damage is reported, with a warning naming where reading stopped.
            if (packets == 0 || packets == mimeOnly)
                throw new CaptureFileException($"is {damage} before its first packet",
                    "nothing could be read from it; check that the copy is complete");
            truncated = true;
            warning = damage == "cut short"
                ? $"the capture is truncated: {packets} packets were read before the cut"
                : $"the capture is {damage} after packet {packets} ({Detail(e.StderrTail)}); the {packets} packets " +
                    $"before were read";
        }
        catch (TsharkException e) when (e.StderrTail.Contains("isn't a capture file", StringComparison.Ordinal))
        {
            throw new CaptureFileException("is not in a capture format tshark reads",
                "export it from Wireshark as pcapng, or check that it is the right file");
        }
        // tshark reads a file whose header it cannot parse as one "MIME" record of the whole file: no packet at all.
        // With a capture format's own first bytes, it is that capture cut or damaged in its header.
        if (packets > 0 && packets == mimeOnly)
            throw IsCaptureMagic(format)
                ? new CaptureFileException($"is a {format} file cut short or damaged before its first packet",
                    "nothing could be read from it; check that the copy is complete")
                : new CaptureFileException("holds no network packet: tshark could only read it as a whole file",
                    "give a capture; if it is one, it is cut short or damaged before its first packet");
        if (packets == 0)
            warning ??= "the capture holds no packets";

        // The read leaves its garbage behind; give it back before the model doubles what is live for a moment.
        if (packets > 100_000)
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var size = new FileInfo(capture).Length;
        var sha = await hashing;
        var start = first ?? 0;
        // Only the addresses the network section shows get a name: a map of every answer would double the memory of a
        // capture with a hundred thousand names.
        var named = net.ShownAddresses().Concat(stun.MediaHosts).ToHashSet();
        var names = dns.AddressNames(named);
        foreach (var (ip, sni) in tls.ServerNames())
            if (named.Contains(ip))
                names.TryAdd(ip, sni);
        var info = new CaptureInfo
        {
            FileName = Path.GetFileName(capture),
            SizeBytes = size,
            Sha256 = sha,
            Format = format,
            LinkTypes = [.. linkTypes],
            Packets = packets,
            Bytes = bytes,
            FirstPacket = first is null ? null : FromEpoch(first.Value),
            LastPacket = last is null ? null : FromEpoch(last.Value),
            DurationSeconds = Math.Round((last ?? 0) - start, 6),
            TsharkVersion = options.TsharkVersion,
            DissectVersion = DissectVersion,
            Truncated = truncated,
            Warning = warning,
            DisplayFilter = options.DisplayFilter,
            Anomalies = [.. implausible > 0 ? [new Anomaly("implausible-length", implausible,
                implausibleExample!)] : Array.Empty<Anomaly>(),
                .. dns.Anomalies],
        };
        var tlsSection = tls.Build();
        var dnsSection = dns.Build(tls.DohServers);
        dns.Release();
        var built = System.Diagnostics.Stopwatch.GetTimestamp();
        var model = new ReportModel(ReportModel.CurrentSchemaVersion, info, dnsSection, tlsSection, net.Build(names),
            stun.Build(), traffic.Build(start), [])
        { Media = stun.Media(names) };
        model = model with { Findings = Findings.Compute(model) };
        if (profile)
        {
            ticks[^1] = System.Diagnostics.Stopwatch.GetTimestamp() - built;
            static double S(long t) => Math.Round((double)t / System.Diagnostics.Stopwatch.Frequency, 3);
            progress!.Stages = [("parse", S(ticks[0])), .. analyzers.Select((a, k) =>
                (a.GetType().Name.Replace("Analyzer", "", StringComparison.Ordinal).ToLowerInvariant(),
                    S(ticks[k + 1]))), ("build", S(ticks[^1]))];
        }
        return model;
    }

    /// <summary>"cut short" or "damaged" when tshark stopped at a damaged record, else null.</summary>
    private static string? Damage(string stderr) =>
        stderr.Contains("cut short", StringComparison.Ordinal) || stderr.Contains("truncated",
            StringComparison.Ordinal) ? "cut short"
        : stderr.Contains("damaged or corrupt", StringComparison.Ordinal) || stderr.Contains("bad block",
            StringComparison.Ordinal)
            ? "damaged" : null;

    /// <summary>tshark's own reason, the parenthesised line after its message: "pcapng: total block length … too
    /// large".</summary>
    private static string Detail(string stderr) =>
        stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('(') && l.EndsWith(')')) is { } l
            ? l[1..^1] : "a record tshark could not read";

    /// <summary>Hashes on a thread of its own, in large blocking reads: awaiting small reads woke thread-pool workers
    /// thousands of times per capture, and their spinning between reads cost more CPU than the hash.</summary>
    public static Task<string> Sha256Async(string path, CancellationToken ct = default) =>
        Task.Factory.StartNew(() =>
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1,
                FileOptions.SequentialScan);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buf = new byte[1 << 20];
            int n;
            while ((n = f.Read(buf)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                hash.AppendData(buf, 0, n);
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static DateTimeOffset FromEpoch(double t) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(t * 1000));
}
