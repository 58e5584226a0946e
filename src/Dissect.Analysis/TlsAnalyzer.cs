using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dissect.Analysis;

public sealed class TlsAnalyzer : IAnalyzer
{
    private static readonly string[] DohHosts = ["dns.google", "cloudflare-dns.com", "mozilla.cloudflare-dns.com",
        "chrome.cloudflare-dns.com", "one.one.one.one", "dns.quad9.net", "doh.opendns.com", "dns.nextdns.io",
            "doh.cleanbrowsing.org"];

    public IEnumerable<string> Fields =>
    [
        "tls.handshake.type", "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
            "tls.handshake.extensions.supported_version",
        "tls.handshake.version", "tls.handshake.ciphersuite", "tls.handshake.ja3", "tls.handshake.certificate",
            "tls.handshake.extension.type", "tls.handshake.sig_hash_alg", "quic.version", "tcp.stream", "udp.stream",
                PseudoTlsField,
    ];

    private sealed class Conn
    {
        public string Client = "", Server = "", Transport = "TCP";
        public string? Sni, ChosenVersion, Ja3, Ja4;
        public List<string> Alpn = [], Offered = [], Suites = [];
        public int SuiteCount;
        public long Frame;
        public CipherSuiteInfo? Chosen;
    }

    private readonly Dictionary<string, Conn> _conns = [];
    private readonly List<string> _order = [];
    private readonly List<Certificate> _certs = [];
    private readonly HashSet<string> _certSeen = [];
    private readonly SortedDictionary<string, int> _quicVersions = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _quicSni = new(StringComparer.Ordinal);
    private int _clientHellos, _serverHellos;

    // MS-TURN over TCP behind its pseudo-TLS hello, per TCP stream (the dissector marks the hello's records).
    private readonly Dictionary<string, (string Client, string Server, long First, long Frames)> _pseudo = [];

    /// <summary>The msturn field present on the pseudo-TLS hello's records.</summary>
    public static readonly string PseudoTlsField =
        new Schema.FilterNames(Schema.Protocols.MsTurn.Spec).PseudoTlsContentType;

    private void AddPseudoTls(in Packet p)
    {
        var stream = p.Str("tcp.stream");
        if (stream is null)
            return;
        if (_pseudo.TryGetValue(stream, out var s))
        {
            _pseudo[stream] = s with { Frames = s.Frames + 1 };
            return;
        }
        if (!p.Has(PseudoTlsField))
            return;
        // The client sends the first hello record; the server is the side on the well-known port otherwise.
        var src = Net.Endpoint(p.Src, p.Str("tcp.srcport"));
        var dst = Net.Endpoint(p.Dst, p.Str("tcp.dstport"));
        var fromServer = p.Str("tcp.srcport") is "443" && p.Str("tcp.dstport") is not "443";
        _pseudo[stream] = (fromServer ? dst : src, fromServer ? src : dst, p.Long("frame.number"), 1);
    }

    public void Add(in Packet p)
    {
        if (p.Has(PseudoTlsField) || (_pseudo.Count > 0 && p.Str("tcp.stream") is { } ts && _pseudo.ContainsKey(ts)))
            AddPseudoTls(p);
        if (p.Has("quic.version"))
            foreach (var v in p.All("quic.version").Distinct())
            {
                var name = QuicVersion(v);
                _quicVersions[name] = _quicVersions.GetValueOrDefault(name) + 1;
            }
        var types = p.All("tls.handshake.type");
        if (types.Count == 0)
            return;
        var quic = p.Protocols.Contains("quic", StringComparison.Ordinal);
        var key = quic ? "udp:" + p.Str("udp.stream") : "tcp:" + p.Str("tcp.stream");
        if (!_conns.TryGetValue(key, out var c))
        {
            _conns[key] = c = new Conn { Transport = quic ? "QUIC" : "TCP" };
            _order.Add(key);
        }
        var sport = p.Str("tcp.srcport") ?? p.Str("udp.srcport");
        var dport = p.Str("tcp.dstport") ?? p.Str("udp.dstport");
        if (types.Contains("1"))
        {
            _clientHellos++;
            if (c.Frame == 0)   // a second ClientHello (after a HelloRetryRequest) keeps the first's frame
                c.Frame = p.Long("frame.number");
            c.Client = $"{p.Src}:{sport}";
            c.Server = $"{p.Dst}:{dport}";
            c.Sni = p.Str("tls.handshake.extensions_server_name");
            if (quic && c.Sni is not null) _quicSni.Add(c.Sni);
            c.Alpn = [.. p.All("tls.handshake.extensions_alpn_str")];
            var offered = p.All("tls.handshake.extensions.supported_version").Select(v =>
                CipherSuites.VersionName((int)(Packet.ParseLong(v) ?? 0))).Where(v => v != "GREASE").ToList();
            if (offered.Count == 0 && p.Str("tls.handshake.version") is { } hv)
                offered.Add(CipherSuites.VersionName((int)(Packet.ParseLong(hv) ?? 0)));
            c.Offered = offered;
            var suites = p.All("tls.handshake.ciphersuite").Select(s => (int)(Packet.ParseLong(s)
                ?? 0)).Where(s => !CipherSuites.IsGrease(s)).ToList();
            c.SuiteCount = suites.Count;
            c.Suites = [.. suites.Select(CipherSuites.NameOf)];
            c.Ja3 = p.Str("tls.handshake.ja3");
            c.Ja4 = Ja4(quic, p, suites, c.Alpn, c.Sni is not null);
        }
        if (types.Contains("2"))
        {
            _serverHellos++;
            if (c.Client.Length == 0)
            {
                c.Frame = p.Long("frame.number");
                c.Client = $"{p.Dst}:{dport}";
                c.Server = $"{p.Src}:{sport}";
            }
            var sv = p.All("tls.handshake.extensions.supported_version").Select(v => (int)(Packet.ParseLong(v)
                ?? 0)).FirstOrDefault();
            var hv = (int)(Packet.ParseLong(p.Str("tls.handshake.version")) ?? 0);
            c.ChosenVersion = CipherSuites.VersionName(sv != 0 ? sv : hv);
            if (Packet.ParseLong(p.Str("tls.handshake.ciphersuite")) is { } suite)
                c.Chosen = CipherSuites.Describe((int)suite);
        }
        var certs = p.All("tls.handshake.certificate");
        for (var i = 0; i < certs.Count; i++)
            AddCertificate(certs[i], i, c.Sni, p.Time, p.Long("frame.number"));
    }

    /// <summary>JA4 client fingerprint (FoxIO): protocol, version, SNI, counts and ALPN, then hashes of the sorted
    /// suites and of the sorted extensions with the signature algorithms.</summary>
    public static string Ja4(bool quic, in Packet p, IReadOnlyList<int> suites, IReadOnlyList<string> alpn, bool hasSni)
    {
        var versions = p.All("tls.handshake.extensions.supported_version").Select(v => (int)(Packet.ParseLong(v)
            ?? 0)).Where(v => !CipherSuites.IsGrease(v)).ToList();
        var top = versions.Count > 0 ? versions.Max() : (int)(Packet.ParseLong(p.Str("tls.handshake.version")) ?? 0);
        var ver = top switch
        {
            0x0304 => "13",
            0x0303 => "12",
            0x0302 => "11",
            0x0301 => "10",
            0x0300 => "s3",
            _ => "00"
        };
        var exts = p.All("tls.handshake.extension.type").Select(e => (int)(Packet.ParseLong(e)
            ?? 0)).Where(e => !CipherSuites.IsGrease(e)).ToList();
        var first = alpn.Count > 0 && alpn[0].Length > 0 ? alpn[0] : null;
        var alpnPart = first is null ? "00" : $"{first[0]}{first[^1]}";
        var counts = $"{Math.Min(99, suites.Count):00}{Math.Min(99, exts.Count):00}";
        var a = $"{(quic ? 'q' : 't')}{ver}{(hasSni ? 'd' : 'i')}{counts}{alpnPart}";
        static string Hash12(string s) =>
            s.Length == 0 ? "000000000000"
                : Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(s)))[..12];
        var b = Hash12(string.Join(',', suites.Order().Select(x => x.ToString("x4",
            System.Globalization.CultureInfo.InvariantCulture))));
        var extPart = string.Join(',', exts.Where(e => e is not (0x0000 or 0x0010)).Order().Select(x => x.ToString("x4",
            System.Globalization.CultureInfo.InvariantCulture)));
        var sigs = string.Join(',', p.All("tls.handshake.sig_hash_alg").Select(x => ((int)(Packet.ParseLong(x)
            ?? 0)).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)));
        var c = extPart.Length == 0 ? "000000000000" : Hash12(sigs.Length == 0 ? extPart : extPart + "_" + sigs);
        return $"{a}_{b}_{c}";
    }

    private void AddCertificate(string hex, int position, string? sni, double time, long frame)
    {
        if (!_certSeen.Add(hex)) return;
        byte[] der;
        try
        {
            der = Convert.FromHexString(hex.Replace(":", "", StringComparison.Ordinal));
        }
        catch (FormatException)
        {
            return;
        }
        try
        {
            using var x = X509CertificateLoader.LoadCertificate(der);
            var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(time * 1000));
            var nb = new DateTimeOffset(x.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            var na = new DateTimeOffset(x.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            var status = at < nb ? "not yet valid" : at > na ? "expired" : "valid";
            var sans = new List<string>();
            foreach (var ext in x.Extensions)
                if (ext is X509SubjectAlternativeNameExtension san)
                    sans.AddRange(san.EnumerateDnsNames());
            var cn = x.GetNameInfo(X509NameType.SimpleName, false);
            string keyType = x.PublicKey.Oid.FriendlyName ?? x.PublicKey.Oid.Value ?? "?";
            var keySize = 0;
            using (var rsa = x.GetRSAPublicKey()) if (rsa is not null) { keyType = "RSA"; keySize = rsa.KeySize; }
            if (keySize == 0)
                using (var ec = x.GetECDsaPublicKey()) if (ec is not null) { keyType = "ECDSA"; keySize = ec.KeySize; }
            bool? match = sni is null || position != 0 ? null : sans.Append(cn).Any(n => HostMatches(n, sni));
            _certs.Add(new Certificate
            {
                Subject = x.Subject,
                CommonName = cn,
                SubjectAltNames = sans,
                Issuer = x.Issuer,
                Serial = x.SerialNumber,
                NotBefore = nb,
                NotAfter = na,
                LifetimeDays = (int)Math.Round((na - nb).TotalDays),
                Status = status,
                SignatureAlgorithm = x.SignatureAlgorithm.FriendlyName ?? x.SignatureAlgorithm.Value ?? "?",
                KeyType = keyType,
                KeySize = keySize,
                ChainPosition = position,
                Sni = sni,
                SniMatches = match,
                Frame = frame,
            });
        }
        catch (CryptographicException)
        {
            // A certificate tshark extracted but .NET cannot parse is left out of the table, not fatal.
        }
    }

    public static bool HostMatches(string pattern, string host)
    {
        if (string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase)) return true;
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && string.Equals(pattern[2..], host[(dot + 1)..], StringComparison.OrdinalIgnoreCase);
        }
        return false;
    }

    private static string QuicVersion(string v) => (Packet.ParseLong(v) ?? 0) switch
    {
        1 => "QUIC v1",
        0x6b3343cf => "QUIC v2",
        0 => "version negotiation",
        var x when (x & 0xFF000000) == 0xFF000000 => $"draft-{x & 0xFF}",
        var x => "0x" + x.ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
    };

    public IEnumerable<string> DohServers => _conns.Values.Where(c => c.Sni is not null
        && DohHosts.Contains(c.Sni)).Select(c => $"{c.Sni} ({c.Server})").Distinct().Order();

    public Dictionary<string, string> ServerNames()
    {
        var map = new Dictionary<string, string>();
        foreach (var c in _conns.Values.Where(c => c.Sni is not null && c.Server.Length > 0))
            map.TryAdd(c.Server[..c.Server.LastIndexOf(':')], c.Sni!);
        return map;
    }

    /// <summary>Marks a version negotiated inside QUIC in <see cref="TlsSection.NegotiatedVersions"/>.</summary>
    public const string QuicSuffix = " (QUIC)";

    public TlsSection Build()
    {
        var conns = _order.Select(k => _conns[k]).Where(c => c.Client.Length > 0).Select(c =>
            new TlsConnection(c.Client, c.Server, c.Sni, c.Alpn, c.Transport,
            c.Offered, c.SuiteCount, c.Suites, c.ChosenVersion, c.Chosen, c.Ja3, c.Ja4)
            { Frame = c.Frame }).ToList();
        return new TlsSection
        {
            ClientHellos = _clientHellos,
            ServerHellos = _serverHellos,
            // QUIC handshakes are TLS 1.3 too: counted, and labelled, so a QUIC-heavy capture does not read as "TLS 1.3
            // ×1".
            NegotiatedVersions = DnsAnalyzer.Count(conns.Where(c => c.ChosenVersion is not null)
                .Select(c => c.Transport == "QUIC" ? c.ChosenVersion + QuicSuffix : c.ChosenVersion!)),
            ChosenSuites = DnsAnalyzer.Count(conns.Where(c => c.ChosenSuite is not null)
                .Select(c => c.ChosenSuite!.Name)),
            Connections = conns,
            Certificates = _certs,
            Tls13HiddenCertificates = conns.Count(c => c.ChosenVersion == "TLS 1.3" && c.Transport == "TCP"),
            QuicVersions = _quicVersions,
            QuicSni = [.. _quicSni],
            PseudoTlsStreams = [.. _pseudo.Values.OrderBy(v => v.First).Select(v => new PseudoTlsStream(v.Client,
                v.Server, v.First, v.Frames))],
        };
    }
}
