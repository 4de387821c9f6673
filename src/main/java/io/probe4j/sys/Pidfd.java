package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A process file descriptor ({@code pidfd_open(2)}): it becomes readable when the process ends, so a
 * watcher that is not the process's parent learns of its end at once, without polling {@code kill(pid, 0)}
 * and without being fooled by a reused pid.
 */
public final class Pidfd implements AutoCloseable {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final MethodHandle SYSCALL = Native.errnoCall("syscall",
            FunctionDescriptor.of(Native.LONG, Native.LONG, Native.LONG, Native.LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle POLL = Native.errnoCall("poll",
            FunctionDescriptor.of(Native.INT, Native.PTR, Native.LONG, Native.INT));
    private static final short POLLIN = 1;
    /** {@code PIDFD_THREAD} (Linux 6.9): a pidfd of one thread, readable when that thread has exited. */
    private static final long PIDFD_THREAD = 0200;

    private final int fd;
    private final int pid;

    private Pidfd(int fd, int pid) {
        this.fd = fd;
        this.pid = pid;
    }

    /** Opens a pidfd for {@code pid}; a {@link SysException} with ESRCH when it has ended already. */
    public static Pidfd open(int pid) {
        return open(pid, 0L, "process");
    }

    /**
     * Opens a pidfd for the single thread {@code tid} ({@code PIDFD_THREAD}): readable as soon as that
     * thread has exited, while the process's own pidfd waits for every thread of it, and for a JVM killed
     * with SIGKILL that means until its address space is torn down (17 ms and more here).
     */
    public static Pidfd openThread(int tid) {
        return open(tid, PIDFD_THREAD, "thread");
    }

    private static Pidfd open(int pid, long flags, String what) {
        Native.Scratch s = Native.scratch();
        long fd;
        try {
            fd = (long) SYSCALL.invokeExact(s.state, SYS_PIDFD_OPEN, (long) pid, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (fd < 0) {
            throw new SysException("pidfd_open", s.errno(), "watching " + what + " " + pid);
        }
        return new Pidfd((int) fd, pid);
    }

    /** Waits up to {@code millis} for the process to end; whether it has. */
    public boolean awaitExit(int millis) {
        return awaitFirst(millis, this) == 0;
    }

    /** Waits up to {@code millis} for any of {@code watched} to end; the index of one that has, or -1. */
    public static int awaitFirst(int millis, Pidfd... watched) {
        Native.Scratch s = Native.scratch();
        MemorySegment pfd = s.buffer(8L * watched.length);
        for (int i = 0; i < watched.length; i++) {
            pfd.set(Native.INT, 8L * i, watched[i].fd);
            pfd.set(Native.SHORT, 8L * i + 4, POLLIN);
            pfd.set(Native.SHORT, 8L * i + 6, (short) 0);
        }
        int rc;
        try {
            rc = (int) POLL.invokeExact(s.state, pfd, (long) watched.length, millis);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0 && s.errno() != Errno.EINTR) {
            throw new SysException("poll", s.errno(), "watching process " + watched[0].pid);
        }
        for (int i = 0; rc > 0 && i < watched.length; i++) {
            if (pfd.get(Native.SHORT, 8L * i + 6) != 0) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        Native.close(fd);
    }
}
