using System.Diagnostics;

namespace Dissect.Tests.Support;

/// <summary>Small shell scripts that tests run as programs.</summary>
public static class Executable
{
    /// <summary>
    /// Writes a script through a child process. Written from this process, the open file would be inherited by any
    /// process another test thread forks meanwhile, and running the script then fails with "Text file busy" (ETXTBSY).
    /// </summary>
    public static void Write(string path, string text)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "cat > \"$1\" && chmod 700 \"$1\"", "sh", path })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(text);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)) || p.ExitCode != 0)
            throw new InvalidOperationException($"could not write {path}");
    }
}
