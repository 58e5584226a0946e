using Dissect.IO;

namespace Dissect.Cli;

/// <summary>A capture given as "-": read from standard input, as tshark's -r - does.</summary>
public static class StandardInput
{
    /// <summary>
    /// Copies standard input into a private temp folder (removed at exit) and returns the file: tshark reads it there,
    /// and Dissect can hash it and name its format like any other capture.
    /// </summary>
    public static async Task<string> SpoolAsync(CancellationToken ct)
    {
        var path = Path.Combine(PrivateFolders.CreateTemp("dissect-stdin-"), "stdin");
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        await using (var stdin = Console.OpenStandardInput())
            await stdin.CopyToAsync(file, ct);
        return path;
    }
}
