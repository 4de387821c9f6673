package io.probe4j.spec;

import java.util.List;
import java.util.OptionalInt;

/**
 * {@code p[:[GRP/]EVENT] [MOD:]SYM[+OFFSET]|ADDR [FETCHARGS]} or its return form
 * ({@code r[MAXACTIVE]...}, or {@code p ... SYM%return}): a probe on a kernel function, written to
 * {@code kprobe_events}.
 *
 * @param isReturn  a return probe (kretprobe)
 * @param maxActive for a return probe, the number of instances the kernel keeps for calls in flight,
 *                  when given ({@code r5:...}); the kernel picks its default otherwise
 * @param group     the group; {@code kprobes} when none was given
 * @param event     the event name, the kernel's automatic one ({@code p_vfs_read_0}) when none was given
 * @param target    the probed place
 * @param args      the fetch arguments, in order, each named
 */
public record KprobeDefinition(boolean isReturn, OptionalInt maxActive, String group, String event,
                               KernelTarget target, List<FetchArg> args) implements EventDefinition {
    public KprobeDefinition {
        args = List.copyOf(args);
    }
}
