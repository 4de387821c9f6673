package io.probe4j.engine.kernel;

import io.probe4j.spec.FetchArg;
import java.util.stream.Collectors;

/**
 * One probe4j definition as an event of the kernel: the session's own group and a name unique in the
 * session (trace_pipe lines carry only the event name, so names must not repeat across the user's
 * groups), plus the uprobe_events command that creates it.
 *
 * @param kernelGroup the session's group, {@code probe4j_<pid>}
 * @param kernelName  the event's name in that group
 * @param probe       the resolved definition
 */
record KernelEvent(String kernelGroup, String kernelName, ResolvedProbe probe) {

    /** The uprobe_events line: {@code p|r:GROUP/NAME PATH:0xOFFSET[(0xREF)] name=arg...}. */
    String command() {
        StringBuilder b = new StringBuilder();
        b.append(probe.definition().isReturn() ? 'r' : 'p').append(':').append(kernelGroup).append('/').append(kernelName)
                .append(' ').append(probe.file()).append(":0x").append(Long.toHexString(probe.offset()));
        probe.refCtrOffset().ifPresent(r -> b.append("(0x").append(Long.toHexString(r)).append(')'));
        for (FetchArg a : probe.definition().args()) {
            b.append(' ').append(a.name()).append('=').append(a.text());
        }
        return b.toString();
    }

    String userName() {
        return probe.definition().group() + "/" + probe.definition().event();
    }

    /** How the kernel lists it in uprobe_profile and how the user wrote it, for messages. */
    String describe() {
        return userName() + " (" + probe.file() + ":0x" + Long.toHexString(probe.offset()) + ")"
                + probe.definition().args().stream().map(a -> " " + a.name() + "=" + a.text()).collect(Collectors.joining());
    }
}
