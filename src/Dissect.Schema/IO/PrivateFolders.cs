using System.Runtime.InteropServices;

namespace Dissect.IO;

/// <summary>
/// Where Dissect may keep files that tshark will execute (the Lua dissector) or trust (cached tshark facts).
/// Shared folders such as /tmp let another local user plant a file at a name Dissect would pick, so Dissect
/// only uses folders it has just made private (0700, unpredictable name) or a per-user cache whose owner
/// and mode it checks before every use.
/// </summary>
public static partial class PrivateFolders
{
    private static readonly List<string> Created = [];
    private static int _hooked;

    /// <summary>A new private folder in the temp folder (0700, random name), removed when the process exits.</summary>
    public static string CreateTemp(string prefix)
    {
        // CreateTempSubdirectory uses mkdtemp: a fresh name, mode 0700, failing rather than reusing.
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        lock (Created)
            Created.Add(dir);
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveCreated();
        return dir;
    }

    /// <summary>Removes the temp folders this process made (also called at exit, after Ctrl+C and SIGTERM).</summary>
    public static void RemoveCreated()
    {
        string[] dirs;
        lock (Created)
        {
            dirs = [.. Created];
            Created.Clear();
        }
        foreach (var d in dirs)
        {
            try
            {
                Directory.Delete(d, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort at exit: a folder still in use by a dying child is left, private to this user.
            }
        }
    }

    /// <summary>
    /// The per-user cache folder (<c>$XDG_CACHE_HOME/dissect</c>, else <c>~/.cache/dissect</c>), made 0700 when
    /// missing. Null when it cannot be trusted: owned by someone else, a symbolic link, or open to other users.
    /// </summary>
    public static string? UserCache(string? sub = null)
    {
        var baseDir = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(baseDir) || !Path.IsPathRooted(baseDir))
            baseDir = OperatingSystem.IsWindows()
                ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        if (string.IsNullOrEmpty(baseDir))
            return null;
        var dir = Path.Combine(baseDir, "dissect");
        if (sub is not null)
            dir = Path.Combine(dir, sub);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // The user's local application data is private to the user by its ACL.
                Directory.CreateDirectory(dir);
                return dir;
            }
            foreach (var d in new[] { Path.Combine(baseDir, "dissect"), dir })
            {
                if (!Directory.Exists(d) && !File.Exists(d))
                    Directory.CreateDirectory(d,
                        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                if (IsPrivate(d, directory: true))
                    continue;
                // Our own folder that is merely open to others (made by 'mkdir -p', say) is closed; files others
                // may have put there are still refused one by one, as they are not ours.
                if (!IsOwnFolder(d))
                    return null;
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                if (!IsPrivate(d, directory: true))
                    return null;
            }
            return dir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when the path is a real file or folder (not a symbolic link) owned by this user, which no other user may
    /// write (and, for a folder, none may enter). Always false when that cannot be established.
    /// </summary>
    public static bool IsPrivate(string path, bool directory)
    {
        if (OperatingSystem.IsWindows())
            return true;
        if (!TryLStat(path, out var st, out var euid))
            return false;
        const int typeMask = 0xF000, dirType = 0x4000, fileType = 0x8000;
        if ((st.Mode & typeMask) != (directory ? dirType : fileType))
            return false;
        if (st.Uid != euid)
            return false;
        // Group and others: no write at all; for folders, no access at all (no listing of what is cached).
        var forbidden = directory ? 0x3F : 0x12;
        return (st.Mode & forbidden) == 0;
    }

    private static bool IsOwnFolder(string path) =>
        TryLStat(path, out var st, out var euid) && (st.Mode & 0xF000) == 0x4000 && st.Uid == euid;

    private static bool TryLStat(string path, out FileStatus st, out uint euid)
    {
        euid = uint.MaxValue;
        try
        {
            euid = GetEuid();
            return LStat(path, out st) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Without the runtime's own stat we cannot check the owner: treat the path as untrusted.
            st = default;
            return false;
        }
    }

    // The .NET runtime's own portable stat (System.Native), which File and Directory use; its FileStatus starts
    // with Flags, Mode, Uid and Gid on every Unix. The struct is padded well beyond the native size.
    [StructLayout(LayoutKind.Sequential, Size = 512)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
        public uint Uid;
        public uint Gid;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStat(string path, out FileStatus output);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_GetEUid")]
    private static partial uint GetEuid();
}
