package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** Signal numbers and names (x86-64 Linux), and sending signals: {@code kill}, {@code tgkill}. */
public final class Signals {
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6,
            SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13,
            SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21,
            SIGTTOU = 22, SIGWINCH = 28;

    private static final String[] NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };

    private static final MethodHandle KILL = Native.errnoCall("kill",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.INT));
    private static final MethodHandle TGKILL = Native.errnoCall("tgkill",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.INT, Native.INT));

    private Signals() {
    }

    /** {@code SIGTRAP} for 5, {@code SIGRTMIN+2} for 36, {@code signal N} otherwise. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig >= 34 && sig <= 64) {
            return "SIGRTMIN+" + (sig - 34);
        }
        return "signal " + sig;
    }

    /** Whether {@code sig} stops a process by default (the signals that start a group-stop). */
    public static boolean isStopSignal(int sig) {
        return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
    }

    /** {@code kill(pid, sig)}: to a whole process (or group, for {@code pid < 0}). */
    public static void kill(int pid, int sig) {
        Native.Scratch s = Native.scratch();
        int rc;
        try {
            rc = (int) KILL.invokeExact(s.state, pid, sig);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw new SysException("kill", s.errno(), "sending " + name(sig) + " to process " + pid);
        }
    }

    /** {@code tgkill(tgid, tid, sig)}: to one thread. */
    public static void tgkill(int tgid, int tid, int sig) {
        Native.Scratch s = Native.scratch();
        int rc;
        try {
            rc = (int) TGKILL.invokeExact(s.state, tgid, tid, sig);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            throw new SysException("tgkill", s.errno(), "sending " + name(sig) + " to thread " + tid + " of " + tgid);
        }
    }
}
