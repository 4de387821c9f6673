package io.probe4j.spec;

/**
 * Definitions printed as the kernel prints them back from {@code uprobe_events} (and, for kprobes,
 * {@code kprobe_events}; see {@link #of(KprobeDefinition)})
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

    /**
     * A kprobe as written in the kernel's form: {@code p:kprobes/p_vfs_read_0 vfs_read arg1=%di},
     * {@code r5:kprobes/ret vfs_read+0} prints as {@code r5:kprobes/ret vfs_read}; an address as
     * {@code 0x%016x}. MAXACTIVE shows only when given; {@link #listed} shows what the kernel lists.
     */
    public static String of(KprobeDefinition d) {
        return kprobe(d, d.maxActive().isPresent() ? Integer.toString(d.maxActive().getAsInt()) : "");
    }

    /**
     * A kprobe as {@code kprobe_events} lists it once registered ({@code trace_kprobe_show}): a return
     * probe shows the MAXACTIVE in force, the kernel's default {@code max(10, 2 * possible CPUs)} when none
     * was given, except while it waits for its module to load. An address shows as the kernel prints it
     * with {@code no_hash_pointers}; without that boot option the kernel prints a hashed value instead.
     */
    public static String listed(KprobeDefinition d, KernelSymbols symbols) {
        String max = "";
        if (d.maxActive().isPresent()) {
            max = Integer.toString(d.maxActive().getAsInt());
        } else if (d.isReturn() && registered(d, symbols)) {
            max = Integer.toString(Math.max(10, 2 * symbols.possibleCpus()));
        }
        return kprobe(d, max);
    }

    private static boolean registered(KprobeDefinition d, KernelSymbols symbols) {
        return !(d.target() instanceof KernelTarget.Symbol s) || s.module() == null || symbols.moduleLoaded(s.module());
    }

    private static String kprobe(KprobeDefinition d, String maxActive) {
        StringBuilder b = new StringBuilder();
        b.append(d.isReturn() ? 'r' : 'p');
        if (d.isReturn()) {
            b.append(maxActive);
        }
        b.append(':').append(d.group()).append('/').append(d.event()).append(' ').append(place(d.target()));
        for (FetchArg a : d.args()) {
            b.append(' ').append(a.name()).append('=').append(a.text());
        }
        return b.toString();
    }

    /** The probed place as the kernel prints it: {@code MOD:SYM}, {@code SYM+OFF} (decimal), {@code 0x%016x}. */
    public static String place(KernelTarget t) {
        return switch (t) {
            case KernelTarget.Symbol s -> s.qualifiedName() + (s.offset() != 0 ? "+" + s.offset() : "");
            case KernelTarget.Address a -> String.format("0x%016x", a.address());
        };
    }

    /** Any kind of definition. */
    public static String of(Definition d) {
        return switch (d) {
            case ProbeDefinition p -> of(p);
            case KprobeDefinition k -> of(k);
            case RemoveDefinition r -> of(r);
        };
    }
}
