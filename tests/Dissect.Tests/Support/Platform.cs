// The tests drive tshark, chroot and Unix file modes: they run on Linux (CI and the Debian set-up).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
