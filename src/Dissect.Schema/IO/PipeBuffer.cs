using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace Dissect.IO;

/// <summary>A larger kernel buffer for a pipe Dissect reads from (Linux): the writer blocks whenever the pipe is full,
/// so a moment of slower reading (start-up, a collection) stalls tshark; with 1 MB it runs ahead.</summary>
public static partial class PipeBuffer
{
    private const int SetPipeSize = 1031;   // F_SETPIPE_SZ

    /// <summary>Returns whether the pipe now holds at least <paramref name="bytes"/>.</summary>
    public static bool Widen(Stream s, int bytes = 1 << 20)
    {
        if (!OperatingSystem.IsLinux() || s is not PipeStream pipe)
            return false;
        // Above /proc/sys/fs/pipe-max-size an unprivileged call fails, and the pipe keeps its 64 KB.
        return SetSize((int)pipe.SafePipeHandle.DangerousGetHandle(), SetPipeSize, bytes) >= bytes;
    }

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int SetSize(int fd, int cmd, int arg);
}
