package io.probe4j.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Set;

/**
 * {@code ptrace(2)} requests. Every request except {@link #seize} and {@link #interrupt} needs the
 * tracee in a ptrace-stop, and every request must come from the thread that seized it: the kernel
 * checks {@code tracee->parent == current}, and {@code current} is a thread, not a process.
 */
public final class Ptrace {
    /** {@code PTRACE_O_*} options of {@link #seize}. */
    public enum Option {
        TRACESYSGOOD(0x1), TRACEFORK(0x2), TRACEVFORK(0x4), TRACECLONE(0x8), TRACEEXEC(0x10),
        TRACEVFORKDONE(0x20), TRACEEXIT(0x40), EXITKILL(0x100000);

        final int bit;

        Option(int bit) {
            this.bit = bit;
        }
    }

    /** {@code PTRACE_EVENT_*}: {@link WaitStatus#event()} of a ptrace event stop. */
    public static final int EVENT_FORK = 1, EVENT_VFORK = 2, EVENT_CLONE = 3, EVENT_EXEC = 4,
            EVENT_VFORK_DONE = 5, EVENT_EXIT = 6, EVENT_STOP = 128;

    private static final int PEEKDATA = 2, POKEDATA = 5, CONT = 7, SINGLESTEP = 9, GETREGS = 12, SETREGS = 13,
            DETACH = 17, GETEVENTMSG = 0x4201, GETSIGINFO = 0x4202, SEIZE = 0x4206, INTERRUPT = 0x4207,
            LISTEN = 0x4208, GET_RSEQ_CONFIGURATION = 0x420f;
    private static final int RSEQ_CONFIGURATION_SIZE = 32;

    // glibc declares ptrace(enum __ptrace_request, ...): variadic after the request
    private static final MethodHandle PTRACE = Native.errnoCall("ptrace",
            FunctionDescriptor.of(Native.LONG, Native.INT, Native.INT, Native.LONG, Native.LONG),
            Linker.Option.firstVariadicArg(1));

    private Ptrace() {
    }

    private static long call(int request, String name, int tid, long addr, long data, String doing) {
        Native.Scratch s = Native.scratch();
        long rc;
        try {
            rc = (long) PTRACE.invokeExact(s.state, request, tid, addr, data);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc == -1 && (request != PEEKDATA || s.errno() != 0)) {
            throw new SysException("ptrace(" + name + ")", s.errno(), doing + " (thread " + tid + ")");
        }
        return rc;
    }

    /** {@code PTRACE_SEIZE}: trace {@code tid} without stopping it. */
    public static void seize(int tid, Set<Option> options) {
        int bits = 0;
        for (Option o : options) {
            bits |= o.bit;
        }
        call(SEIZE, "PTRACE_SEIZE", tid, 0, bits, "attaching to the thread");
    }

    /** {@code PTRACE_INTERRUPT}: make a running seized tracee stop (a {@link #EVENT_STOP} report follows). */
    public static void interrupt(int tid) {
        call(INTERRUPT, "PTRACE_INTERRUPT", tid, 0, 0, "stopping the thread");
    }

    /** {@code PTRACE_CONT}: resume, delivering {@code sig} (0: none). */
    public static void cont(int tid, int sig) {
        call(CONT, "PTRACE_CONT", tid, 0, sig, "resuming the thread");
    }

    /** {@code PTRACE_SINGLESTEP}: resume for one instruction, delivering {@code sig} (0: none). */
    public static void singleStep(int tid, int sig) {
        call(SINGLESTEP, "PTRACE_SINGLESTEP", tid, 0, sig, "single-stepping the thread");
    }

    /** {@code PTRACE_LISTEN}: leave a group-stopped tracee stopped, but let it report {@code SIGCONT}. */
    public static void listen(int tid) {
        call(LISTEN, "PTRACE_LISTEN", tid, 0, 0, "leaving the thread in its group-stop");
    }

    /** {@code PTRACE_DETACH}: stop tracing, delivering {@code sig} (0: none). */
    public static void detach(int tid, int sig) {
        call(DETACH, "PTRACE_DETACH", tid, 0, sig, "detaching from the thread");
    }

    /** {@code PTRACE_GETREGS}. */
    public static UserRegs getRegs(int tid) {
        MemorySegment buf = Native.scratch().buffer(Reg.USER_REGS_SIZE);
        call(GETREGS, "PTRACE_GETREGS", tid, 0, buf.address(), "reading the registers");
        return new UserRegs(buf.asSlice(0, Reg.USER_REGS_SIZE).toArray(Native.LONG));
    }

    /** {@code PTRACE_SETREGS}. */
    public static void setRegs(int tid, UserRegs regs) {
        MemorySegment buf = Native.scratch().buffer(Reg.USER_REGS_SIZE);
        MemorySegment.copy(regs.raw(), 0, buf, Native.LONG, 0, regs.raw().length);
        call(SETREGS, "PTRACE_SETREGS", tid, 0, buf.address(), "writing the registers");
    }

    /** {@code PTRACE_GETEVENTMSG}: the new task's id after a fork/clone event, the former tid after exec. */
    public static long getEventMsg(int tid) {
        MemorySegment buf = Native.scratch().buffer(8);
        call(GETEVENTMSG, "PTRACE_GETEVENTMSG", tid, 0, buf.address(), "reading the event message");
        return buf.get(Native.LONG, 0);
    }

    /** {@code PTRACE_GETSIGINFO}: the signal of a signal-delivery-stop (fails with EINVAL in a group-stop). */
    public static SigInfo getSigInfo(int tid) {
        MemorySegment buf = Native.scratch().buffer(128);
        call(GETSIGINFO, "PTRACE_GETSIGINFO", tid, 0, buf.address(), "reading the pending signal");
        return new SigInfo(buf.get(Native.INT, 0), buf.get(Native.INT, 4), buf.get(Native.INT, 8),
                buf.get(Native.INT, 16), buf.get(Native.INT, 20), buf.get(Native.LONG, 16), buf.get(Native.INT, 24));
    }

    /**
     * {@code PTRACE_GET_RSEQ_CONFIGURATION}: where the thread's {@code struct rseq} is (glibc 2.35+
     * registers one per thread), or 0 when it has none registered.
     */
    public static long rseqArea(int tid) {
        MemorySegment buf = Native.scratch().buffer(RSEQ_CONFIGURATION_SIZE);
        buf.asSlice(0, RSEQ_CONFIGURATION_SIZE).fill((byte) 0);
        call(GET_RSEQ_CONFIGURATION, "PTRACE_GET_RSEQ_CONFIGURATION", tid, RSEQ_CONFIGURATION_SIZE, buf.address(),
                "reading the rseq registration");
        return buf.get(Native.LONG, 0);
    }

    /** {@code PTRACE_PEEKDATA}: one word of the tracee's memory. */
    public static long peekData(int tid, long addr) {
        return call(PEEKDATA, "PTRACE_PEEKDATA", tid, addr, 0, "reading memory at 0x" + Long.toHexString(addr));
    }

    /** {@code PTRACE_POKEDATA}: one word, also into read-only pages (the kernel writes with FOLL_FORCE). */
    public static void pokeData(int tid, long addr, long word) {
        call(POKEDATA, "PTRACE_POKEDATA", tid, addr, word, "writing memory at 0x" + Long.toHexString(addr));
    }
}
