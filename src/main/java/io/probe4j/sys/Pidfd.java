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

    private final int fd;
    private final int pid;

    private Pidfd(int fd, int pid) {
        this.fd = fd;
        this.pid = pid;
    }

    /** Opens a pidfd for {@code pid}; a {@link SysException} with ESRCH when it has ended already. */
    public static Pidfd open(int pid) {
        Native.Scratch s = Native.scratch();
        long fd;
        try {
            fd = (long) SYSCALL.invokeExact(s.state, SYS_PIDFD_OPEN, (long) pid, 0L);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (fd < 0) {
            throw new SysException("pidfd_open", s.errno(), "watching process " + pid);
        }
        return new Pidfd((int) fd, pid);
    }

    /** Waits up to {@code millis} for the process to end; whether it has. */
    public boolean awaitExit(int millis) {
        Native.Scratch s = Native.scratch();
        MemorySegment pfd = s.buffer(8);
        pfd.set(Native.INT, 0, fd);
        pfd.set(Native.SHORT, 4, POLLIN);
        pfd.set(Native.SHORT, 6, (short) 0);
        int rc;
        try {
            rc = (int) POLL.invokeExact(s.state, pfd, 1L, millis);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0 && s.errno() != Errno.EINTR) {
            throw new SysException("poll", s.errno(), "watching process " + pid);
        }
        return rc > 0;
    }

    @Override
    public void close() {
        Native.close(fd);
    }
}
