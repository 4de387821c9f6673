package io.probe4j.engine.kernel;

import io.probe4j.spec.ArgType;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import io.probe4j.spec.KprobeDefinition;
import io.probe4j.spec.NormalForm;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One probe4j definition as an event of the kernel: the session's own group and a name unique in the
 * session (trace_pipe lines carry only the event name, so names must not repeat across the user's
 * groups), plus the {@code uprobe_events} or {@code kprobe_events} command that creates it.
 *
 * <p>Several definitions may share one kernel event ({@code member} ≥ 0): the kernel lets an event hold
 * many probes with the same argument names and types, and disables all of an event's probes with one
 * synchronisation (some 50 ms), where each event costs its own. A hidden immediate argument
 * ({@link #memberArg}) tells which definition a line of the shared event is for.
 *
 * @param kernelGroup the session's group, {@code probe4j_<pid>}
 * @param kernelName  the event's name in that group
 * @param probe       what is probed: a place in a file, or a kernel function
 * @param member      this definition's number in a shared event, or -1 when the event is its own
 */
record KernelEvent(String kernelGroup, String kernelName, Probe probe, int member) {

    KernelEvent(String kernelGroup, String kernelName, Probe probe) {
        this(kernelGroup, kernelName, probe, -1);
    }

    /** The two kinds of probe the kernel engine drives. */
    sealed interface Probe {
        /** A uprobe: a file offset in a program or library. */
        record Uprobe(ResolvedProbe resolved) implements Probe {
        }

        /** A kprobe: a kernel function (or address), written to {@code kprobe_events}. */
        record Kprobe(KprobeDefinition definition) implements Probe {
        }
    }

    KernelEvent(String kernelGroup, String kernelName, ResolvedProbe uprobe) {
        this(kernelGroup, kernelName, new Probe.Uprobe(uprobe));
    }

    boolean isKprobe() {
        return probe instanceof Probe.Kprobe;
    }

    /** The tracefs file that defines and removes this kind of event. */
    String controlFile() {
        return isKprobe() ? EventsFile.KPROBE_EVENTS : EventsFile.UPROBE_EVENTS;
    }

    boolean isReturn() {
        return switch (probe) {
            case Probe.Uprobe u -> u.resolved().definition().isReturn();
            case Probe.Kprobe k -> k.definition().isReturn();
        };
    }

    List<FetchArg> args() {
        return switch (probe) {
            case Probe.Uprobe u -> u.resolved().definition().args();
            case Probe.Kprobe k -> k.definition().args();
        };
    }

    /**
     * A hidden last argument, {@code $comm}: the task's name at the hit. The comm column of a kernel
     * trace line is looked up in a cache when the line is read, not recorded with the event; for a
     * task that just exec'ed it can still hold {@code <...>} or the name of an earlier task with the
     * same pid (the JVM thread that forked it, say). probe4j prints the name recorded at the hit.
     */
    static final FetchArg COMM_ARG = new FetchArg("__probe4j_comm", "$comm", new Fetch.Comm(), new ArgType.StringType(false));

    /**
     * The arguments as defined in the kernel: the user's, then {@link #COMM_ARG} while there is room for it,
     * then {@link #memberArg} in a shared event.
     */
    List<FetchArg> kernelArgs() {
        List<FetchArg> user = args();
        if (user.size() >= MAX_TRACE_ARGS) {
            return user;
        }
        List<FetchArg> all = new ArrayList<>(user);
        all.add(COMM_ARG);
        if (member >= 0) {
            all.add(memberArg(member));
        }
        return all;
    }

    /** The hidden last argument of a shared event: {@code __probe4j_id=\N:u32}, this definition's number. */
    static FetchArg memberArg(int member) {
        return new FetchArg(MEMBER_ARG, "\\" + member + ":u32", new Fetch.Immediate(member),
                new ArgType.Scalar(ArgType.Radix.UNSIGNED, 32));
    }

    static final String MEMBER_ARG = "__probe4j_id";

    /** Whether definitions with these arguments can share an event: there is room for both hidden arguments. */
    static boolean canShare(List<FetchArg> args) {
        return args.size() + 2 <= MAX_TRACE_ARGS;
    }

    /** The kernel's limit on arguments per event (trace_probe.h MAX_TRACE_ARGS). */
    private static final int MAX_TRACE_ARGS = 128;

    /** The group as the user wrote it ({@code uprobes}/{@code kprobes} by default). */
    String userGroup() {
        return switch (probe) {
            case Probe.Uprobe u -> u.resolved().definition().group();
            case Probe.Kprobe k -> k.definition().group();
        };
    }

    /** The event name as the user wrote it (or the kernel's automatic one). */
    String userEvent() {
        return switch (probe) {
            case Probe.Uprobe u -> u.resolved().definition().event();
            case Probe.Kprobe k -> k.definition().event();
        };
    }

    /**
     * The definition under the session's group and name: {@code p|r:GROUP/NAME PATH:0xOFFSET[(0xREF)] args}
     * for a uprobe, {@code p|r[MAXACTIVE]:GROUP/NAME [MOD:]SYM[+OFF]|ADDR args} for a kprobe.
     */
    String command() {
        StringBuilder b = new StringBuilder();
        switch (probe) {
            case Probe.Uprobe(ResolvedProbe p) -> {
                b.append(isReturn() ? 'r' : 'p').append(':').append(kernelGroup).append('/').append(kernelName)
                        .append(' ').append(p.file()).append(":0x").append(Long.toHexString(p.offset()));
                p.refCtrOffset().ifPresent(r -> b.append("(0x").append(Long.toHexString(r)).append(')'));
            }
            case Probe.Kprobe(KprobeDefinition d) -> {
                b.append(d.isReturn() ? 'r' : 'p');
                if (d.isReturn() && d.maxActive().isPresent()) {
                    b.append(d.maxActive().getAsInt());
                }
                b.append(':').append(kernelGroup).append('/').append(kernelName).append(' ').append(NormalForm.place(d.target()));
            }
        }
        for (FetchArg a : kernelArgs()) {
            b.append(' ').append(a.name()).append('=').append(a.text());
        }
        return b.toString();
    }

    String userName() {
        return userGroup() + "/" + userEvent();
    }

    /** The user's name and what it probes, for messages. */
    String describe() {
        String place = switch (probe) {
            case Probe.Uprobe(ResolvedProbe p) -> p.file() + ":0x" + Long.toHexString(p.offset());
            case Probe.Kprobe(KprobeDefinition d) -> (d.isReturn() ? "return of " : "") + NormalForm.place(d.target());
        };
        return userName() + " (" + place + ")" + args().stream().map(a -> " " + a.name() + "=" + a.text()).collect(Collectors.joining());
    }
}
