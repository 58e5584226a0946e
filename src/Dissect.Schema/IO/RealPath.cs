using System.Runtime.InteropServices;

namespace Dissect.IO;

/// <summary>The canonical path of a file or folder, every link resolved: how a walk knows it has been
/// somewhere.</summary>
public static partial class RealPath
{
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
            return full;
        var p = Resolve(full, IntPtr.Zero);
        if (p == IntPtr.Zero)
            return full;   // a dangling link or a race: the caller sees the path it gave
        try
        {
            return Marshal.PtrToStringUTF8(p) ?? full;
        }
        finally
        {
            Free(p);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Resolve(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr p);
}
