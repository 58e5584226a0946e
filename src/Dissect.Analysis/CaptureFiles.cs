namespace Dissect.Analysis;

/// <summary>The file names Dissect takes as captures when it walks folders: the formats tshark reads, compressed or
/// not. A capture named otherwise is still read when named on the command line (its content decides).</summary>
public static class CaptureFiles
{
    public static readonly IReadOnlyList<string> Extensions =
        [".pcap", ".pcapng", ".cap", ".ntar", ".snoop", ".pcap.gz", ".pcapng.gz", ".pcap.zst", ".pcapng.zst",
            ".pcap.lz4", ".pcapng.lz4"];
}
