package io.probe4j.spec;

import java.util.List;

/**
 * {@code p[:[GRP/]EVENT] PATH:OFFSET[(REF_CTR)] [FETCHARGS]} or its return form ({@code r...}, or
 * {@code p ... PATH:OFFSET%return}).
 *
 * @param isReturn  a return probe (uretprobe): {@code r}, or {@code p} with {@code %return}
 * @param group     the group; {@code uprobes} when none was given
 * @param event     the event name; the kernel's automatic {@code p_<base>_0x<off>} when none was given
 * @param target    what is probed
 * @param args      the fetch arguments, in order, each named
 */
public record ProbeDefinition(boolean isReturn, String group, String event, ProbeTarget target,
                              List<FetchArg> args) implements Definition {
    public ProbeDefinition {
        args = List.copyOf(args);
    }
}
