package io.probe4j.event;

import java.util.List;

/**
 * One hit of a probe, as both engines report it: the task, the ftrace context, where it hit and the
 * fetched arguments.
 *
 * @param comm        the task's command name: at most 15 bytes, one char per byte (ISO-8859-1), because
 *                    the kernel keeps bytes that need not be UTF-8; {@link #commText()} decodes them
 * @param pid         the process id (thread group id); equal to {@code tid} for a main thread
 * @param tid         the thread id (the kernel's "PID" column)
 * @param cpu         the CPU the hit ran on
 * @param flags       the five ftrace context characters ({@code irqs-off, need-resched, hardirq/softirq,
 *                    preempt-depth, migrate-disable}), e.g. {@code DBZff}
 * @param timestampNs CLOCK_MONOTONIC time of the hit, in nanoseconds
 * @param group       the group as the user named it ({@code uprobes} by default)
 * @param event       the event name as the user named it
 * @param site        where: entry probe address, or function and return address
 * @param args        the fetch arguments in definition order
 * @param stacks      the user stacks taken at the hit, if the trace asked for them
 */
public record ProbeEvent(String comm, int pid, int tid, int cpu, String flags, long timestampNs,
                         String group, String event, Site site, List<Arg> args, EventStacks stacks) {

    /**
     * The five ftrace context characters the kernel (6.18, x86-64) prints for every user-space uprobe hit:
     * the handler runs in the {@code int3} exception with interrupts off. Every engine prints them, so
     * its lines match the kernel's; the tests check them against the kernel engine's lines.
     */
    public static final String UPROBE_FLAGS = "DBZff";

    public ProbeEvent {
        if (flags.length() != 5) {
            throw new IllegalArgumentException("ftrace flags are five characters: '" + flags + "'");
        }
        args = List.copyOf(args);
    }

    /** An event without stacks. */
    public ProbeEvent(String comm, int pid, int tid, int cpu, String flags, long timestampNs,
                      String group, String event, Site site, List<Arg> args) {
        this(comm, pid, tid, cpu, flags, timestampNs, group, event, site, args, EventStacks.NONE);
    }

    /** The task's name as text: its bytes decoded as UTF-8 (a byte that is not UTF-8 becomes U+FFFD). */
    public String commText() {
        return new String(comm.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** This event with {@code stacks}. */
    public ProbeEvent withStacks(EventStacks stacks) {
        return new ProbeEvent(comm, pid, tid, cpu, flags, timestampNs, group, event, site, args, stacks);
    }

    /** Where a probe hit. */
    public sealed interface Site {
        /** An entry probe: the run-time address of the probed instruction. */
        record Entry(long probeAddress) implements Site {
        }

        /**
         * A return probe: the function's run-time address and the address it returned to.
         */
        record Return(long functionAddress, long returnAddress) implements Site {
        }

        /**
         * A kprobe's entry: the probed place as the kernel symbolizes it, {@code vfs_read+0x0/0x310}
         * ({@code sym+off/size}, a {@code " [module]"} suffix for module code, {@code 0x...} when no symbol
         * covers it). The kernel records only the address; the text is what its trace output shows, and
         * that is what probe4j reads back.
         */
        record KernelEntry(String place) implements Site {
        }

        /**
         * A kretprobe: the probed function's name ({@code ksys_read}) and the place it returned to as
         * {@code sym+off/size} ({@code do_syscall_64+0x5d/0xb0}), both as the kernel prints them.
         */
        record KernelReturn(String function, String returnPlace) implements Site {
        }
    }

    /** A named argument value. */
    public record Arg(String name, Value value) {
    }
}
