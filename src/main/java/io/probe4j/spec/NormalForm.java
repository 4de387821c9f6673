package io.probe4j.spec;

/**
 * Definitions printed as the kernel prints them back from {@code uprobe_events}
 * ({@code trace_uprobe_show}): {@code r} for every return probe, the group always shown, the offset
 * as 16 hex digits, a reference counter only when it is not zero, every argument named and written as
 * typed.
 */
public final class NormalForm {
    private NormalForm() {
    }

    /**
     * {@code p:uprobes/ceo_a /tmp/up/test:0x0000000000001149 arg1=%di arg2=%si}.
     *
     * @throws IllegalArgumentException for a definition that still needs resolution (a symbol or bare name)
     */
    public static String of(ProbeDefinition d) {
        if (!(d.target().location() instanceof ProbeTarget.Location.FileOffset(long offset)) || d.event() == null) {
            throw new IllegalArgumentException("resolve the target first: " + d.target());
        }
        StringBuilder b = new StringBuilder();
        b.append(d.isReturn() ? 'r' : 'p').append(':').append(d.group()).append('/').append(d.event())
                .append(' ').append(d.target().path()).append(':').append(String.format("0x%016x", offset));
        long ref = d.target().refCtrOffset().orElse(0);
        if (ref != 0) {
            b.append("(0x").append(Long.toHexString(ref)).append(')');
        }
        for (FetchArg a : d.args()) {
            b.append(' ').append(a.name()).append('=').append(a.text());
        }
        return b.toString();
    }

    /** A removal as written, words joined by single spaces: {@code -:GRP/EVENT ...}. */
    public static String of(RemoveDefinition d) {
        StringBuilder b = new StringBuilder("-:");
        if (d.group() != null) {
            b.append(d.group()).append('/');
        }
        b.append(d.event());
        for (String w : d.match()) {
            b.append(' ').append(w);
        }
        return b.toString();
    }

    /** Either kind of definition. */
    public static String of(Definition d) {
        return switch (d) {
            case ProbeDefinition p -> of(p);
            case RemoveDefinition r -> of(r);
        };
    }
}
