using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Ringway.Replicas.Processes;

/// <summary>SIGTERM for a graceful stop: .NET only offers Process.Kill, which is SIGKILL.</summary>
internal static class PosixSignals
{
    private const int SigTerm = 15;
    private const int NoSuchProcess = 3; // ESRCH

    /// <summary>Sends SIGTERM; false when the process is gone already.</summary>
    [UnsupportedOSPlatform("windows")]
    public static bool Terminate(int processId)
    {
        if (NativeMethods.Kill(processId, SigTerm) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == NoSuchProcess ? false : throw new Win32Exception(error);
    }

    private static class NativeMethods
    {
        // libc's kill(2); "libc" resolves to the C library on Linux (glibc, musl) and macOS.
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }
}
