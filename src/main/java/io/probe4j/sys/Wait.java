package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * {@code waitpid(2)} for tracers. Always passes {@code __WALL} (threads and processes alike) and
 * {@code __WNOTHREAD}: only the children and tracees of the calling thread are waited for, so a
 * tracer thread never reaps a process that another JVM thread (the JDK's process reaper) started.
 */
public final class Wait {
    public static final int WNOHANG = 1, WUNTRACED = 2, WNOWAIT = 0x01000000;
    public static final int WNOTHREAD = 0x20000000, WALL = 0x40000000;
    /** {@code waitid} flags: which changes to report. */
    public static final int WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8;
    /** {@code si_code} values of a {@code waitid} report. */
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5, CLD_CONTINUED = 6;
    private static final int P_ALL = 0, P_PID = 1;

    private static final MethodHandle WAITPID = Native.errnoCall("waitpid",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.PTR, Native.INT));

    private static final MethodHandle WAITID = Native.errnoCall("waitid",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.INT, Native.PTR, Native.INT));

    private Wait() {
    }

    /**
     * Waits for {@code pid} ({@code -1}: any child or tracee of this thread), retrying on EINTR.
     *
     * @param extraFlags {@code WNOHANG}, {@code WUNTRACED}, ... ({@code __WALL|__WNOTHREAD} are added)
     * @return empty only with {@code WNOHANG} when nothing changed
     */
    public static Optional<WaitStatus> waitpid(int pid, int extraFlags) {
        Native.Scratch s = Native.scratch();
        MemorySegment status = s.buffer(4);
        int flags = extraFlags | WALL | WNOTHREAD;
        while (true) {
            int rc;
            try {
                rc = (int) WAITPID.invokeExact(s.state, pid, status, flags);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (rc > 0) {
                return Optional.of(new WaitStatus(rc, status.get(Native.INT, 0)));
            }
            if (rc == 0) {
                return Optional.empty();
            }
            if (s.errno() != Errno.EINTR) {
                throw new SysException("waitpid", s.errno(), pid == -1 ? "waiting for any tracee" : "waiting for " + pid);
            }
        }
    }

    /** Blocks until {@code pid} (-1: any) reports. */
    public static WaitStatus waitpid(int pid) {
        return waitpid(pid, 0).orElseThrow();
    }

    /**
     * {@code waitid(2)} for {@code pid} (-1: any child or tracee of this thread), with {@code __WALL}
     * and {@code __WNOTHREAD} added. With {@code WNOWAIT} it only looks: the status stays to be
     * waited for again.
     *
     * @param flags {@code WEXITED}, {@code WSTOPPED}, {@code WCONTINUED}, {@code WNOHANG}, {@code WNOWAIT}
     * @return the report: {@code pid()} is the task, {@code code()} a {@code CLD_*} value,
     *         {@code status()} the exit code or signal; empty with {@code WNOHANG} when nothing changed
     */
    public static Optional<SigInfo> waitid(int pid, int flags) {
        Native.Scratch s = Native.scratch();
        MemorySegment info = s.buffer(128);
        info.asSlice(0, 128).fill((byte) 0);
        while (true) {
            int rc;
            try {
                rc = (int) WAITID.invokeExact(s.state, pid == -1 ? P_ALL : P_PID, pid == -1 ? 0 : pid, info,
                        flags | WALL | WNOTHREAD);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (rc == 0) {
                if (info.get(Native.INT, 16) == 0) {
                    return Optional.empty(); // WNOHANG, nothing to report
                }
                return Optional.of(new SigInfo(info.get(Native.INT, 0), info.get(Native.INT, 4), info.get(Native.INT, 8),
                        info.get(Native.INT, 16), info.get(Native.INT, 20), info.get(Native.LONG, 16), info.get(Native.INT, 24)));
            }
            if (s.errno() != Errno.EINTR) {
                throw new SysException("waitid", s.errno(), pid == -1 ? "waiting for any tracee" : "waiting for " + pid);
            }
        }
    }
}
