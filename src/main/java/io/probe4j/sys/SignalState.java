package io.probe4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Signal dispositions of this process, and those it was started with.
 *
 * <p>A command started in the background by a non-interactive shell inherits SIGINT and SIGQUIT
 * ignored, and the JVM then leaves SIGINT ignored while it replaces SIGQUIT's disposition with its
 * own handler. A tool that wants to stop on SIGINT must undo the first ({@link #setDefault}); a
 * tool that launches a program must give it the dispositions it would have had untraced, which the
 * JVM's own changes hide. The launcher script passes the dispositions it was started with as the
 * system properties {@code probe4j.sigign} and {@code probe4j.sigblk} (the hexadecimal masks of
 * {@code /proc/PID/status}); without them, {@link #rememberStart()} at the top of {@code main}
 * keeps what the JVM left untouched (SIGINT, SIGTERM and SIGHUP, not SIGQUIT or SIGPIPE, which it
 * takes over), and a library user's launched programs get the JVM's ignored signals, as any child
 * does, and an empty mask.
 */
public final class SignalState {
    private static final MethodHandle SIGACTION = Native.errnoCall("sigaction",
            FunctionDescriptor.of(Native.INT, Native.INT, Native.PTR, Native.PTR));
    private static final long SIG_DFL = 0, SIG_IGN = 1;
    private static final int SIGACTION_SIZE = 152; // glibc's struct sigaction on x86-64: handler first

    private static volatile long ignoredAtStart = -1;

    private SignalState() {
    }

    /**
     * Notes the signals ignored now, as the ones this process started with when the launcher did not
     * say; call before changing any disposition.
     */
    public static void rememberStart() {
        ignoredAtStart = Procfs.signalSet((int) ProcessHandle.current().pid(), "SigIgn:");
    }

    /** Whether {@code sig} is ignored now ({@code SIG_IGN}). */
    public static boolean isIgnored(int sig) {
        return handler(sig) == SIG_IGN;
    }

    /** Sets {@code sig} to its default action (so that the JVM will agree to install a handler for it). */
    public static void setDefault(int sig) {
        Native.Scratch s = Native.scratch();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment act = a.allocate(SIGACTION_SIZE, 8); // zeroed: SIG_DFL, empty mask, no flags
            act.set(Native.LONG, 0, SIG_DFL);
            int rc = (int) SIGACTION.invokeExact(s.state, sig, act, MemorySegment.NULL);
            if (rc < 0) {
                throw new SysException("sigaction", s.errno(), "restoring the default action of " + Signals.name(sig));
            }
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * The signals ignored when this process started (bit N-1 for signal N): as the launcher said, else
     * as {@link #rememberStart()} found them, else those ignored now.
     */
    public static long originalIgnored() {
        if (System.getProperty("probe4j.sigign") != null) {
            return mask("probe4j.sigign");
        }
        long atStart = ignoredAtStart;
        return atStart != -1 ? atStart : Procfs.signalSet((int) ProcessHandle.current().pid(), "SigIgn:");
    }

    /** The signals blocked when this process started (bit N-1 for signal N). */
    public static long originalBlocked() {
        return mask("probe4j.sigblk");
    }

    /** Whether bit {@code sig}-1 is set in {@code mask}. */
    public static boolean contains(long mask, int sig) {
        return sig >= 1 && sig <= 64 && (mask >>> (sig - 1) & 1) != 0;
    }

    private static long mask(String property) {
        String given = System.getProperty(property, "");
        return given.matches("[0-9a-fA-F]{1,16}") ? Long.parseUnsignedLong(given, 16) : 0;
    }

    private static long handler(int sig) {
        Native.Scratch s = Native.scratch();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(SIGACTION_SIZE, 8);
            int rc = (int) SIGACTION.invokeExact(s.state, sig, MemorySegment.NULL, old);
            if (rc < 0) {
                throw new SysException("sigaction", s.errno(), "reading the action of " + Signals.name(sig));
            }
            return old.get(Native.LONG, 0);
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
