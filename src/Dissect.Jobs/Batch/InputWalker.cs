using System.Text;
using System.Text.RegularExpressions;
using Dissect.IO;

namespace Dissect.Jobs.Batch;

/// <summary>
/// Finds the captures under folders and globs. Each folder is entered once per real path, so a link back up the
/// tree (loop -> ..) is reported and not followed again, and a batch never loops or counts a capture twice.
/// Hidden files and folders (names starting with '.') are taken unless <see cref="SkipHidden"/> is set; then they
/// are counted in a warning, never dropped silently.
/// </summary>
public sealed class InputWalker(bool skipHidden)
{
    public bool SkipHidden { get; } = skipHidden;

    public List<string> Warnings { get; } = [];

    public int HiddenSkipped { get; private set; }

    private readonly HashSet<string> _visitedFolders = new(StringComparer.Ordinal);

    /// <summary>Every file under <paramref name="root"/>, with its path relative to it, in no set order.</summary>
    public IEnumerable<(string Path, string Relative)> Files(string root)
    {
        // Loops are within one walk; the same capture reached by two arguments is the caller's to merge.
        _visitedFolders.Clear();
        var stack = new Stack<(string Dir, string Relative)>();
        stack.Push((Path.GetFullPath(root), ""));
        while (stack.Count > 0)
        {
            var (dir, rel) = stack.Pop();
            var real = RealPath.Of(dir);
            if (!_visitedFolders.Add(real))
            {
                Warnings.Add($"{dir}: leads to a folder already searched ({real}), a link loop or a second link; not " +
                    $"followed again");
                continue;
            }
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions
                {
                    RecurseSubdirectories = false,
                    IgnoreInaccessible = true,
                    AttributesToSkip = 0,
                }).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Warnings.Add($"{dir}: cannot be read ({e.Message})");
                continue;
            }
            foreach (var entry in entries)
            {
                var name = Path.GetFileName(entry);
                var childRel = rel.Length == 0 ? name : rel + "/" + name;
                if (SkipHidden && name.StartsWith('.'))
                {
                    HiddenSkipped++;
                    continue;
                }
                if (Directory.Exists(entry))
                    stack.Push((entry, childRel));
                else if (File.Exists(entry))
                    yield return (entry, childRel);
            }
        }
    }

    /// <summary>
    /// The folder a glob starts from (its part before the first wildcard) and a matcher for paths relative to it:
    /// '*' and '?' stay within one path part, '**' spans any number of folders.
    /// </summary>
    public static (string Root, Regex Match) Glob(string pattern)
    {
        var normalized = pattern.Replace('\\', '/');
        var firstWild = normalized.IndexOfAny(['*', '?']);
        var slash = normalized.LastIndexOf('/', firstWild);
        var root = slash < 0 ? "." : slash == 0 ? "/" : normalized[..slash];
        var rest = slash < 0 ? normalized : normalized[(slash + 1)..];
        var rx = new StringBuilder("^");
        for (var i = 0; i < rest.Length; i++)
        {
            var c = rest[i];
            if (c == '*' && i + 1 < rest.Length && rest[i + 1] == '*')
            {
                // "**/" matches zero or more folders; a trailing "**" matches anything below.
                var slashAfter = i + 2 < rest.Length && rest[i + 2] == '/';
                rx.Append(slashAfter ? "(?:[^/]*/)*" : ".*");
                i += slashAfter ? 2 : 1;
            }
            else if (c == '*')
                rx.Append("[^/]*");
            else if (c == '?')
                rx.Append("[^/]");
            else
                rx.Append(Regex.Escape(c.ToString()));
        }
        rx.Append('$');
        return (root, new Regex(rx.ToString(), RegexOptions.CultureInvariant));
    }
}
