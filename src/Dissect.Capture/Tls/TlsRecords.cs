using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Dissect.Capture.Tls;

/// <summary>
/// TLS 1.2 handshake records for fixtures: a ClientHello with SNI, ALPN and offered versions and suites,
/// a ServerHello choosing one suite, and a Certificate message holding a certificate made with .NET's
/// X509 APIs. The key below is a fixture key made for this purpose only (not a secret); with a fixed key
/// and fixed dates the certificate, and so the sample capture, is the same at every build.
/// </summary>
public static class TlsRecords
{
    private const string FixtureKeyPem = """
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDexw2GWrt/J6t7
L+gM9Q5k0kuDwvRBVt7h+aNQ+GLqCi4IJD7lj0056iTmGMMB2ibrNV683MMWuB9N
TMPNwE2Jy2lNgXJXvTQiRl3+fKCTJ0excactxGrQViAKUO2IXLxbdqf5M3z3vH86
hlT0KrNAXcfMm0FB9GBwqkK71raACDHceB8DCU/rXNE9fH72CwN+Z/P9swYYq+ve
T9EzBQvHm1DmGnSCCThqcGAKKPD7uufh5J40T7zkEM4ELO6X7qL0WfpQ8zRYjPEd
grfDsn8PIOzSmJRFMD8TGkQ97knRIgSmACyMZnmi0MjEk2FMDYTpCbWq3G4cPr11
lXt4I9PvAgMBAAECggEADk64ZqWTHyJ8F+hGvfZLG1yKLwcpSrz6iYbP31Zke+V1
eV5ij7m5WvvXrNNwSsEo+Lgvwm9nNCFVGVDRzngIQs5GkAy9PDdRjtX4GW0Fnw3J
w/Kpqv3PYlv1qNPzvWs/SZyAQzf0UbDQdwDDmf7YDk03lMNv2H2KaBH3QTsT83r0
kx47e9EsgO8W7pIVOHRazvB4HO2XZwvjdCJbYc18VVGMjFdq5JSZehgiHhld6r+D
/ut3StJNpCnCGdyPbkO3/zDiG62QwnlCvqvFZO2GYZg+zTrOLANDuaoREqFsgprt
yGqkroMStvmav7Te3knYKftk9xZ+NrguPLbQWYo2sQKBgQDyex5zRqCqxwBGADGF
PSixkHHXka1QkYrI+zf9I8AGnK8BIGl5hGbSGqlQmf1qkU3GhnfyJFRvglpotCfL
/XaePEii/4aUjjwChYh1WPq3FsHBzGoDtiICNfYSY4c4/gKVuKoCPErzT7ndGoSC
E+x2k19y108hlsGFU+JttxcMCQKBgQDrMrYlAxrVjMHCjB4KamN9ddIpeXthMI/c
4SiF5MNW3RP5xsnIFTQQocoWqW9XNfir8bAM0BUQC3FJLNMfJa5wMnLxOXrzmcdm
atD1Ec0M0EB9WSrE8ApM3UaTP2XXOXWnxlLf+ptMTCLrV1z+SiZhfSpbARRtWjh+
NH2GxLnONwKBgHPmT1awMomOVt4ep4zU/8dnkFKGaf3xoxGPqmJPnTBL4gY61M9l
brQMVFOXVx6B11gF2/0cSlOGTepv+fmx6+mUTO/EDTKijaJy6xeT8TpkITadmyqs
+rJt0nFVq0OdfeTMgE5TPUvxFpjNXPrDxSmkJWJB8avPYC53OupQMi7pAoGAbjyV
jKF46VCQ3FuKFP2qZfpcJ55Nys7VDwTlVmRTfhoeq7qVhtcRUR5Ttu1xRyH/zK96
AXdh9+Q1E8QTrAygRuwOXavASf7wq7sy9zqBrhjJsTaiyi1r1nz8ADX9yLOgxqM4
4sv2D/u7fiyzZGhittzQhljqNxrLUbPOheUc5V8CgYEArTTrA2c6aiESufUpJawe
Me+gUwoQyUdU/k6faBpBI8wX5XmlNIuJh9PqJCpAvsrFGDogH8TCQYQdkPoXpHod
EyEspka41wSWvx4XXczignikA9SSmFCjTYIuQoj+a8ZlfUkf32PKdvViI/odpWN+
ac+21xPH5L3fFdUuhXyfeq8=
-----END PRIVATE KEY-----
""";

    public static byte[] Certificate(string commonName, string[] dnsNames, DateTimeOffset notBefore,
        DateTimeOffset notAfter, long serial)
    {
        using var key = RSA.Create();
        key.ImportFromPem(FixtureKeyPem);
        var req = new CertificateRequest($"CN={commonName}, O=Dissect " +
            $"demo", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in dnsNames) san.AddDnsName(n);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var issuer = new X500DistinguishedName("CN=Dissect Demo CA, O=Dissect demo");
        var serialBytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(serialBytes, serial);
        using var cert = req.Create(issuer, X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
            notBefore, notAfter, serialBytes);
        return cert.RawData;
    }

    public static byte[] ClientHello(string sni, string[] alpn, ushort[] suites, ushort[] versions, int seed)
    {
        var body = new List<byte>();
        body.AddRange([0x03, 0x03]);
        body.AddRange(Random(seed, 32));
        body.Add(0);
        U16(body, suites.Length * 2);
        foreach (var s in suites) U16(body, s);
        body.AddRange([1, 0]);
        var ext = new List<byte>();
        var name = Encoding.ASCII.GetBytes(sni);
        Extension(ext, 0x0000, [.. Be16(name.Length + 3), 0, .. Be16(name.Length), .. name]);
        Extension(ext, 0x000a, [0, 4, 0, 0x1d, 0, 0x17]);
        Extension(ext, 0x000b, [1, 0]);
        Extension(ext, 0x000d, [0, 6, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01]);
        var alpnList = alpn.SelectMany(a => new[] { (byte)a.Length }.Concat(Encoding.ASCII.GetBytes(a))).ToArray();
        Extension(ext, 0x0010, [.. Be16(alpnList.Length), .. alpnList]);
        Extension(ext, 0x002b, [(byte)(versions.Length * 2), .. versions.SelectMany(v => Be16(v))]);
        U16(body, ext.Count);
        body.AddRange(ext);
        return Record(Handshake(1, body));
    }

    /// <summary>ServerHello (TLS 1.2, chosen suite), Certificate and ServerHelloDone in one record.</summary>
    public static byte[] ServerFlight(ushort suite, byte[][] chain, int seed)
    {
        var hello = new List<byte> { 0x03, 0x03 };
        hello.AddRange(Random(seed, 32));
        hello.Add(32);
        hello.AddRange(Random(seed + 1, 32));
        U16(hello, suite);
        hello.Add(0);
        U16(hello, 5);
        Extension(hello, 0xff01, [0]);
        var certs = new List<byte>();
        foreach (var c in chain)
        {
            U24(certs, c.Length);
            certs.AddRange(c);
        }
        var certMsg = new List<byte>();
        U24(certMsg, certs.Count);
        certMsg.AddRange(certs);
        return Record([.. Handshake(2, hello), .. Handshake(11, certMsg), .. Handshake(14, [])]);
    }

    private static byte[] Handshake(byte type, List<byte> body)
    {
        var h = new List<byte> { type };
        U24(h, body.Count);
        h.AddRange(body);
        return [.. h];
    }

    private static byte[] Record(byte[] payload)
    {
        var r = new List<byte> { 0x16, 0x03, 0x03 };
        U16(r, payload.Length);
        r.AddRange(payload);
        return [.. r];
    }

    private static void Extension(List<byte> to, ushort type, byte[] data)
    {
        U16(to, type);
        U16(to, data.Length);
        to.AddRange(data);
    }

    private static byte[] Random(int seed, int n)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static byte[] Be16(int v) => [(byte)(v >> 8), (byte)v];
    private static void U16(List<byte> l, int v) => l.AddRange(Be16(v));
    private static void U24(List<byte> l, int v) => l.AddRange([(byte)(v >> 16), (byte)(v >> 8), (byte)v]);
}
