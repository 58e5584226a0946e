using System.Globalization;

namespace Dissect.Analysis;

/// <summary>IANA TLS cipher suites seen in practice, and a breakdown computed from the standard name.</summary>
public static class CipherSuites
{
    private static readonly Dictionary<int, string> Names = new()
    {
        [0x0000] = "TLS_NULL_WITH_NULL_NULL",
        [0x0001] = "TLS_RSA_WITH_NULL_MD5",
        [0x0002] = "TLS_RSA_WITH_NULL_SHA",
        [0x0003] = "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
        [0x0004] = "TLS_RSA_WITH_RC4_128_MD5",
        [0x0005] = "TLS_RSA_WITH_RC4_128_SHA",
        [0x0009] = "TLS_RSA_WITH_DES_CBC_SHA",
        [0x000A] = "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        [0x0016] = "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        [0x0018] = "TLS_DH_anon_WITH_RC4_128_MD5",
        [0x002F] = "TLS_RSA_WITH_AES_128_CBC_SHA",
        [0x0032] = "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
        [0x0033] = "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        [0x0035] = "TLS_RSA_WITH_AES_256_CBC_SHA",
        [0x0038] = "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
        [0x0039] = "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        [0x003C] = "TLS_RSA_WITH_AES_128_CBC_SHA256",
        [0x003D] = "TLS_RSA_WITH_AES_256_CBC_SHA256",
        [0x0040] = "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
        [0x0067] = "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        [0x006A] = "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
        [0x006B] = "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        [0x009C] = "TLS_RSA_WITH_AES_128_GCM_SHA256",
        [0x009D] = "TLS_RSA_WITH_AES_256_GCM_SHA384",
        [0x009E] = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        [0x009F] = "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        [0x00A2] = "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
        [0x00A3] = "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
        [0x00FF] = "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        [0x1301] = "TLS_AES_128_GCM_SHA256",
        [0x1302] = "TLS_AES_256_GCM_SHA384",
        [0x1303] = "TLS_CHACHA20_POLY1305_SHA256",
        [0x1304] = "TLS_AES_128_CCM_SHA256",
        [0x5600] = "TLS_FALLBACK_SCSV",
        [0xC007] = "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        [0xC008] = "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        [0xC009] = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        [0xC00A] = "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        [0xC011] = "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        [0xC012] = "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        [0xC013] = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        [0xC014] = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        [0xC023] = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        [0xC024] = "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        [0xC027] = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        [0xC028] = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        [0xC02B] = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        [0xC02C] = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        [0xC02F] = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        [0xC030] = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        [0xC09C] = "TLS_RSA_WITH_AES_128_CCM",
        [0xC09D] = "TLS_RSA_WITH_AES_256_CCM",
        [0xCCA8] = "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        [0xCCA9] = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        [0xCCAA] = "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    };

    /// <summary>GREASE values (RFC 8701) are placeholders, not suites.</summary>
    public static bool IsGrease(int code) => (code & 0x0F0F) == 0x0A0A && (code >> 8) == (code & 0xFF);

    public static string NameOf(int code) => IsGrease(code) ? "GREASE"
        : Names.TryGetValue(code, out var n) ? n : "0x" + code.ToString("X4", CultureInfo.InvariantCulture);

    // A suite's description is the same every time: each ClientHello lists a dozen or more, so it is worked out once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, CipherSuiteInfo> Described = new();

    public static CipherSuiteInfo Describe(int code) => Described.GetOrAdd(code, DescribeOnce);

    private static CipherSuiteInfo DescribeOnce(int code)
    {
        var name = NameOf(code);
        if (!name.StartsWith("TLS_", StringComparison.Ordinal) || name.EndsWith("_SCSV", StringComparison.Ordinal))
            return new CipherSuiteInfo(code, name, "?", "?", "?", "?", "?", false, null);
        string kx, auth, rest;
        var with = name.IndexOf("_WITH_", StringComparison.Ordinal);
        if (with < 0)
        {
            // TLS 1.3: key exchange and authentication are negotiated outside the suite, always (EC)DHE.
            kx = "ECDHE/DHE (TLS 1.3)";
            auth = "certificate (TLS 1.3)";
            rest = name[4..];
        }
        else
        {
            var left = name[4..with].Split('_');
            kx = left[0];
            auth = left.Length > 1 ? string.Join('_', left[1..]) : left[0];
            if (auth == "EXPORT")
                auth = left[0] + " (export)";
            rest = name[(with + 6)..];
        }
        var parts = rest.Split('_');
        var hash = parts[^1] is "SHA" or "SHA256" or "SHA384" or "MD5" or "NULL" ? parts[^1] : "AEAD";
        var cipherParts = hash == "AEAD" ? parts : parts[..^1];
        var mode = cipherParts.Contains("GCM") ? "GCM" : cipherParts.Contains("CCM") ? "CCM"
            : cipherParts.Contains("POLY1305") ? "AEAD (Poly1305)"
            : cipherParts.Contains("CBC") ? "CBC" : cipherParts[0] == "RC4" ? "stream" : cipherParts[0] == "NULL"
                ? "none" : "?";
        var cipher = string.Join('-', cipherParts.Where(p =>
            p is not ("GCM" or "CBC" or "POLY1305" or "CCM" or "EDE")));
        var fs = kx.StartsWith("ECDHE", StringComparison.Ordinal) || kx.StartsWith("DHE", StringComparison.Ordinal);
        string? weak = null;
        if (cipher.StartsWith("NULL", StringComparison.Ordinal) || name.Contains("NULL_WITH",
            StringComparison.Ordinal)) weak = "null-cipher";
        else if (name.Contains("EXPORT", StringComparison.Ordinal)) weak = "export-keys";
        else if (name.Contains("anon", StringComparison.Ordinal)) weak = "anonymous";
        else if (cipher.StartsWith("RC4", StringComparison.Ordinal)) weak = "rc4";
        else if (cipher.StartsWith("3DES", StringComparison.Ordinal) || cipher.StartsWith("DES",
            StringComparison.Ordinal)) weak = "sweet32";
        else if (hash == "MD5") weak = "md5-mac";
        else if (mode == "CBC" && hash == "SHA") weak = "cbc-sha1";
        return new CipherSuiteInfo(code, name, kx, auth, cipher, mode, hash == "AEAD" ? "AEAD" : hash, fs, weak);
    }

    public static string VersionName(int v) => v switch
    {
        0x0300 => "SSL 3.0",
        0x0301 => "TLS 1.0",
        0x0302 => "TLS 1.1",
        0x0303 => "TLS 1.2",
        0x0304 => "TLS 1.3",
        _ when IsGrease(v) => "GREASE",
        _ => "0x" + v.ToString("X4", CultureInfo.InvariantCulture),
    };

    public static bool IsOldVersion(string name) => name is "SSL 3.0" or "TLS 1.0" or "TLS 1.1";
}
