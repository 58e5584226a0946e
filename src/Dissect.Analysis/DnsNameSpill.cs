using Microsoft.Win32.SafeHandles;
using static Dissect.Analysis.SpillFiles;

namespace Dissect.Analysis;

/// <summary>
/// Disk space for the DNS names that do not fit in memory. A capture of unique names (a scanner, a DNS tunnel, a busy
/// resolver over hours) would otherwise keep a state per name until the end, and Dissect's memory would grow with the
/// capture. Each name's changes are appended, in order, to one of <see cref="Partitions"/> files chosen by the name's
/// hash, so one partition at a time can be replayed into memory at the end; the names' summaries are then written as
/// sorted runs that <see cref="Names"/> merges while the report is written. The files are <see cref="SpillFiles"/>:
/// private, and unlinked as soon as they are open.
/// </summary>
internal sealed class DnsNameSpill : IDisposable
{
    public const int Partitions = 64;
    private readonly SpillFiles _files;
    private readonly Runs _names, _unanswered;

    public DnsNameSpill()
    {
        _files = new SpillFiles("dissect-dns-", Partitions, extras: 2);
        _names = new Runs(_files.Extra(0));
        _unanswered = new Runs(_files.Extra(1));
    }

    /// <summary>Bytes written for the names' changes so far (for --stats and the tests).</summary>
    public long Bytes => _files.Bytes;

    /// <summary>Starts a change of the name: the writer then takes the change's own values.</summary>
    public BinaryWriter Begin(string name, byte op)
    {
        var w = _files.Partition(StringComparer.OrdinalIgnoreCase.GetHashCode(name));
        w.Write(op);
        WriteText(w, name);
        return w;
    }

    /// <summary>Each partition's changes, from the start, in the order written; the reader ends at its end.</summary>
    public IEnumerable<(BinaryReader Reader, long End)> ReadPartitions() => _files.ReadPartitions();

    /// <summary>Frees the partitions' disk space once every name is summarised.</summary>
    public void DropPartitions() => _files.DropPartitions();

    /// <summary>Writes one sorted run of summaries.</summary>
    public void WriteNames(IEnumerable<DnsNameSummary> sorted) => _names.Write(sorted, WriteSummary);

    /// <summary>Writes one sorted run of unanswered names (as they were spelt in their queries).</summary>
    public void WriteUnanswered(IEnumerable<string> sorted) => _unanswered.Write(sorted, WriteText);

    /// <summary>The summaries of every run, merged in name order; read from disk on each enumeration.</summary>
    public IReadOnlyList<DnsNameSummary> Names()
    {
        // The lists keep their files open (and so their space) for as long as the model lives; the partitions go now.
        DropPartitions();
        return _names.Merged(ReadSummary, x => x.Name);
    }

    /// <summary>The unanswered names of every run, merged in order.</summary>
    public IReadOnlyList<string> Unanswered() => _unanswered.Merged(ReadText, x => x);

    public void Dispose()
    {
        DropPartitions();
        _names.Dispose();
        _unanswered.Dispose();
    }

    /// <summary>Sorted runs of records in one file, merged on reading.</summary>
    private sealed class Runs(FileStream file) : IDisposable
    {
        private BinaryWriter? _writer = new(file);
        private readonly List<(long Start, long End, int Count)> _list = [];

        public void Write<T>(IEnumerable<T> sorted, Action<BinaryWriter, T> write)
        {
            var w = _writer ?? throw new InvalidOperationException("runs already read");
            var start = file.Position;
            var count = 0;
            foreach (var x in sorted)
            {
                write(w, x);
                count++;
            }
            w.Flush();
            if (count > 0)
                _list.Add((start, file.Position, count));
        }

        public MergedRuns<T> Merged<T>(Func<BinaryReader, T> read, Func<T, string> key) where T : class
        {
            _writer?.Flush();
            _writer = null;
            return new MergedRuns<T>(file, [.. _list], read, key);
        }

        public void Dispose()
        {
            // Once merged, the list owns the file.
            _writer?.Dispose();
            _writer = null;
        }
    }

    private static void WriteSummary(BinaryWriter w, DnsNameSummary s)
    {
        WriteText(w, s.Name);
        WriteTexts(w, s.CnameChain);
        WriteTexts(w, s.IPv4);
        WriteTexts(w, s.IPv6);
        WriteTexts(w, s.QueryTypes);
        WriteTexts(w, s.AuthorityZones);
        WriteTexts(w, s.AuthorityServers);
        w.Write(s.Queries);
        w.Write(s.Responses);
        w.Write7BitEncodedInt(s.Chains.Count);
        foreach (var c in s.Chains)
        {
            WriteText(w, c.QueryType);
            WriteTexts(w, c.Cnames);
            WriteTexts(w, c.IPv4);
            WriteTexts(w, c.IPv6);
            w.Write(c.FirstFrame);
            w.Write(c.Responses);
        }
        w.Write(s.FirstFrame);
        WriteTexts(w, s.Opcodes);
    }

    private static DnsNameSummary ReadSummary(BinaryReader r)
    {
        var name = ReadText(r);
        var cnames = ReadTexts(r);
        var v4 = ReadTexts(r);
        var v6 = ReadTexts(r);
        var types = ReadTexts(r);
        var zones = ReadTexts(r);
        var servers = ReadTexts(r);
        var queries = r.ReadInt32();
        var responses = r.ReadInt32();
        var chains = new DnsChain[r.Read7BitEncodedInt()];
        for (var i = 0; i < chains.Length; i++)
            chains[i] = new DnsChain(ReadText(r), ReadTexts(r), ReadTexts(r), ReadTexts(r), r.ReadInt64(),
                r.ReadInt32());
        var first = r.ReadInt64();
        return new DnsNameSummary(name, cnames, v4, v6, types, zones, servers, queries, responses)
        {
            Chains = chains,
            FirstFrame = first,
            Opcodes = ReadTexts(r),
        };
    }

    /// <summary>The runs merged by key (ordinal, as the in-memory lists sort them), one record at a time.</summary>
    private sealed class MergedRuns<T>(FileStream owner, (long Start, long End, int Count)[] runs,
        Func<BinaryReader, T> read, Func<T, string> key) : IReadOnlyList<T> where T : class
    {
        // Keeps the stream (and its handle) alive with the list.
        private readonly FileStream _owner = owner;
        private readonly SafeFileHandle _file = owner.SafeFileHandle;

        public int Count { get; } = runs.Sum(r => r.Count);

        // Rarely used (the report and the JSON writer enumerate): a walk from the start.
        public T this[int index] => index >= 0 && index < Count
            ? this.Skip(index).First()
            : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<T> GetEnumerator()
        {
            GC.KeepAlive(_owner);
            var readers = new BinaryReader[runs.Length];
            var left = new int[runs.Length];
            var heap = new PriorityQueue<int, string>(StringComparer.Ordinal);
            var current = new T?[runs.Length];
            try
            {
                for (var i = 0; i < runs.Length; i++)
                {
                    readers[i] = new BinaryReader(new BufferedStream(new Slice(_file, runs[i].Start, runs[i].End),
                        SpillFiles.BufferSize));
                    left[i] = runs[i].Count;
                    current[i] = read(readers[i]);
                    left[i]--;
                    heap.Enqueue(i, key(current[i]!));
                }
                var n = 0;
                while (heap.TryDequeue(out var i, out _))
                {
                    yield return current[i]!;
                    // Each summary is garbage once used, but the GC lets young garbage grow by tens of megabytes when
                    // little survives: a young collection now and then keeps the walk's memory flat, for little time.
                    if (++n % 4096 == 0)
                        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                    if (left[i] > 0)
                    {
                        current[i] = read(readers[i]);
                        left[i]--;
                        heap.Enqueue(i, key(current[i]!));
                    }
                    else
                        current[i] = null;
                }
            }
            finally
            {
                foreach (var r in readers)
                    r?.Dispose();
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A read-only window of the runs file, read at its own offsets: enumerations do not share a
    /// position.</summary>
    private sealed class Slice(SafeFileHandle file, long from, long end) : Stream
    {
        private readonly long _from = from;
        private long _at = from;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => end - _from;

        public override long Position
        {
            get => _at - _from;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, end - _at);
            if (n <= 0)
                return 0;
            n = RandomAccess.Read(file, buffer[..n], _at);
            _at += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
