using System.Runtime.InteropServices;

namespace Dissect.Analysis;

/// <summary>
/// Disk space for what an analyzer cannot keep in memory: records appended to one of several partition files chosen
/// by a hash of their key, so that every record of a key lands in one file and one partition at a time can be read
/// back into memory at the end. Any further files a caller asks for are opened beside them.
/// The files live in a private folder (0700, unpredictable name) and are unlinked as soon as they are open: nothing is
/// left on disk, even when the process is killed, and no other user can read or replace them.
/// </summary>
internal sealed class SpillFiles : IDisposable
{
    public const int BufferSize = 16 * 1024;
    private readonly FileStream[] _parts;
    private readonly BinaryWriter[] _writers;
    private readonly FileStream[] _extras;
    private long _dropped = -1;

    /// <exception cref="IOException">No private temp folder could be made or filled.</exception>
    public SpillFiles(string prefix, int partitions, int extras = 0)
    {
        var dir = Dissect.IO.PrivateFolders.CreateTemp(prefix);
        string PathOf(string name) => Path.Combine(dir, name);
        _parts = new FileStream[partitions];
        _writers = new BinaryWriter[partitions];
        for (var i = 0; i < partitions; i++)
        {
            _parts[i] = OpenUnlinked(PathOf(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            _writers[i] = new BinaryWriter(_parts[i]);
        }
        _extras = new FileStream[extras];
        for (var i = 0; i < extras; i++)
            _extras[i] = OpenUnlinked(PathOf("x" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (!OperatingSystem.IsWindows())
            TryDelete(dir);
    }

    /// <summary>A further file, empty at first; the caller owns it.</summary>
    public FileStream Extra(int index) => _extras[index];

    /// <summary>The writer of the partition that <paramref name="hash"/> falls in.</summary>
    public BinaryWriter Partition(int hash) => _writers[(uint)hash % (uint)_writers.Length];

    /// <summary>Bytes written to the partitions so far (for --stats and the tests).</summary>
    public long Bytes
    {
        get
        {
            if (_dropped >= 0)
                return _dropped;
            long sum = 0;
            foreach (var p in _parts)
                sum += p.Position;
            return sum;
        }
    }

    private static FileStream OpenUnlinked(string path)
    {
        // CreateNew: a file someone else made at this name is never reused (the folder is ours and private anyway).
        var f = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize,
            OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
        if (!OperatingSystem.IsWindows())
            File.Delete(path);
        return f;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
            // Removed at exit with the other temp folders.
        }
    }

    /// <summary>Each partition's records, from the start, in the order written; the reader ends at its end.</summary>
    public IEnumerable<(BinaryReader Reader, long End)> ReadPartitions()
    {
        for (var i = 0; i < _parts.Length; i++)
        {
            _writers[i].Flush();
            var end = _parts[i].Position;
            if (end == 0)
                continue;
            _parts[i].Position = 0;
            using var r = new BinaryReader(_parts[i], System.Text.Encoding.UTF8, leaveOpen: true);
            yield return (r, end);
            _parts[i].Position = end;
        }
    }

    /// <summary>Frees the partitions' disk space once they have been read.</summary>
    public void DropPartitions()
    {
        if (_dropped < 0)
            _dropped = Bytes;
        foreach (var w in _writers)
            w.Dispose();
    }

    public void Dispose() => DropPartitions();

    // Strings as their UTF-16 code units: exact for any text tshark gives, lone surrogates included.
    public static void WriteText(BinaryWriter w, string s)
    {
        w.Write7BitEncodedInt(s.Length);
        w.Write(MemoryMarshal.AsBytes(s.AsSpan()));
    }

    public static string ReadText(BinaryReader r)
    {
        var n = r.Read7BitEncodedInt();
        return string.Create(n, r, static (chars, reader) =>
        {
            var bytes = MemoryMarshal.AsBytes(chars);
            if (reader.Read(bytes) != bytes.Length)
                throw new EndOfStreamException();
        });
    }

    public static void WriteTexts(BinaryWriter w, IReadOnlyList<string>? list)
    {
        w.Write7BitEncodedInt(list?.Count ?? 0);
        if (list is null)
            return;
        foreach (var s in list)
            WriteText(w, s);
    }

    public static string[] ReadTexts(BinaryReader r)
    {
        var n = r.Read7BitEncodedInt();
        if (n == 0)
            return [];
        var a = new string[n];
        for (var i = 0; i < n; i++)
            a[i] = ReadText(r);
        return a;
    }
}
