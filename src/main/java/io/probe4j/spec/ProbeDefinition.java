package io.probe4j.spec;

import java.util.List;

/**
 * {@code p[:[GRP/]EVENT] PATH:OFFSET[(REF_CTR)] [FETCHARGS]} or its return form ({@code r...}, or
 * {@code p ... PATH:OFFSET%return}).
 *
 * @param isReturn  a return probe (uretprobe): {@code r}, or {@code p} with {@code %return}
 * @param group     the group; {@code uprobes} when none was given
 * @param event     the event name; the kernel's automatic {@code p_<base>_0x<off>} when none was given.
 *                  {@code null} only while the name is automatic and the target still needs
 *                  resolution (see {@link #needsResolution()}): the kernel derives it from the
 *                  resolved file and offset
 * @param target    what is probed
 * @param args      the fetch arguments, in order, each named
 */
public record ProbeDefinition(boolean isReturn, String group, String event, ProbeTarget target,
                              List<FetchArg> args) implements EventDefinition {
    public ProbeDefinition {
        args = List.copyOf(args);
    }

    /**
     * Whether the target uses probe4j's extensions (a symbol, or a path without {@code /}) and must
     * be resolved by {@code io.probe4j.elf} before the kernel or an engine can use it.
     */
    public boolean needsResolution() {
        return target.location() instanceof ProbeTarget.Location.Symbol || !target.path().contains("/");
    }

    /** Whether the target is a pattern of function names ({@code libc:str*}): one probe for each function it matches. */
    public boolean isWildcard() {
        return target.location() instanceof ProbeTarget.Location.Symbol s && s.isPattern();
    }

    /**
     * This definition with its target resolved to a real file and file offset, in the form the kernel
     * takes; an automatic event name is made now, from the resolved path and offset, as the kernel would.
     * The reference-counter offset is kept.
     */
    public ProbeDefinition resolvedTo(String path, long fileOffset) {
        return resolvedTo(path, fileOffset, event != null ? event : AutoName.of(path, fileOffset));
    }

    /** As {@link #resolvedTo(String, long)}, named {@code name} (one function of a {@linkplain #isWildcard wildcard}). */
    public ProbeDefinition resolvedTo(String path, long fileOffset, String name) {
        return new ProbeDefinition(isReturn, group, name,
                new ProbeTarget(path, new ProbeTarget.Location.FileOffset(fileOffset), target.refCtrOffset()), args);
    }
}
