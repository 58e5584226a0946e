using System.Diagnostics;
using System.Globalization;
using Dissect.Analysis;

namespace Dissect.Cli;

/// <summary>
/// On a terminal, one line on standard error updated twice a second while a capture is read: packets, packets per
/// second and elapsed time, so a long analysis never looks hung. Off a terminal it prints nothing (scripts and logs
/// get the final lines only). The line is erased when the analysis ends.
/// </summary>
public sealed class LiveProgress : IDisposable
{
    private readonly Timer? _timer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _name;
    private bool _drawn;

    public AnalysisProgress Progress { get; } = new();

    public LiveProgress(ConsoleIo io, string name)
    {
        _name = Terminal.Safe(name, 60);
        if (io.IsConsole && !Console.IsErrorRedirected
            && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb"))
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
    }

    private void Draw()
    {
        var s = _clock.Elapsed.TotalSeconds;
        var n = Progress.Packets;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{_name}: {n:N0} packets read, {n / Math.Max(0.001, s):N0} packets/s, {s:0} s elapsed");
        lock (this)
        {
            Console.Error.Write("\r" + line + "\u001b[K");
            _drawn = true;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (this)
            if (_drawn)
                Console.Error.Write("\r\u001b[K");
    }
}
