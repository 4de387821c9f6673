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

    private static final MethodHandle WAITPID = Native.errnoCall("waitpid",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.PTR, Native.INT));

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
}
