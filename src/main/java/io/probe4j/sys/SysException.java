package io.probe4j.sys;

/**
 * A system call failed. The message names the call, the errno and what was being done, e.g.
 * {@code ptrace(PTRACE_GETREGS) failed with ESRCH (No such process) reading the registers of thread 1234}.
 */
public final class SysException extends RuntimeException {
    private final String call;
    private final int errno;

    public SysException(String call, int errno, String doing) {
        super(call + " failed with " + Errno.name(errno) + " while " + doing);
        this.call = call;
        this.errno = errno;
    }

    /** The failing call as named in the message, e.g. {@code ptrace(PTRACE_CONT)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code ESRCH}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
