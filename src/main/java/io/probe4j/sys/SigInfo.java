package io.probe4j.sys;

/**
 * The fields of a {@code siginfo_t} that tracing needs. {@code addr} is {@code si_addr} (faults),
 * {@code pid}/{@code uid} are the sender of a {@code kill}; which are meaningful depends on {@code code}.
 */
public record SigInfo(int signo, int errno, int code, int pid, int uid, long addr, int status) {
    /** {@code si_code} of a trap raised by the kernel, e.g. an {@code int3} on x86-64. */
    public static final int SI_KERNEL = 0x80;
    /** {@code si_code} of {@code kill()}. */
    public static final int SI_USER = 0;
    /** {@code si_code} of {@code tgkill()}/{@code raise()}. */
    public static final int SI_TKILL = -6;
    /** {@code si_code} of a single-step trap. */
    public static final int TRAP_TRACE = 2;
    /** {@code si_code} of a breakpoint trap (hardware breakpoint, or single step over a syscall). */
    public static final int TRAP_BRKPT = 1;

    /** Whether a program or another process sent this signal (rather than the CPU/kernel raising it). */
    public boolean sentByProcess() {
        return code <= 0;
    }
}
