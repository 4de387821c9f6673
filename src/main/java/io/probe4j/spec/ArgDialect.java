package io.probe4j.spec;

/**
 * Where the two kernels probe4j follows check fetch arguments differently: uprobe arguments as Linux
 * 6.18 checks them, kprobe arguments as Linux 6.1 does (the kernel probe4j can test kprobes against).
 * {@link ArgParser} asks its dialect instead of branching on the kind of probe.
 */
enum ArgDialect {
    /** {@code uprobe_events}, Linux 6.18: BTF-era names and messages, no kernel symbols. */
    UPROBE_6_18,
    /**
     * {@code kprobe_events}, Linux 6.1: {@code $argN} at a function entry, {@code @SYM[+|-OFF]}, the
     * {@code symbol} and {@code symstr} types and a bounded {@code $stackN}, but no {@code char} type,
     * no BTF names, only an exact {@code $retval}, and a non-string {@code $comm} refused without an
     * error_log entry.
     */
    KPROBE_6_1;

    /** With BTF, an unnamed argument that looks like a name is named after itself. */
    boolean namesArgumentsAfterThemselves() {
        return this == UPROBE_6_18;
    }

    /** What an argument longer than {@code MAX_ARGSTR_LEN} fails with. */
    Errno argumentTooLong() {
        return this == UPROBE_6_18 ? Errno.E2BIG : Errno.EINVAL;
    }

    /** The error_log message for {@code $comm} or an immediate string with a non-string type (null: none). */
    KernelError needStringType() {
        return this == UPROBE_6_18 ? KernelError.NEED_STRING_TYPE : null;
    }

    /** The type named {@code name} (null: default), or null when this kernel has no such type. */
    ArgType type(String name) {
        return this == UPROBE_6_18 ? Types.find(name) : Types.findKernel(name);
    }

    /** {@code @SYM} fetches kernel memory by symbol; uprobes have none. */
    boolean hasKernelSymbols() {
        return this == KPROBE_6_1;
    }

    /** Whether {@code $stackN} is checked against {@code PARAM_MAX_STACK} when parsed. */
    boolean boundsStackEntries() {
        return this == KPROBE_6_1;
    }

    /** Whether {@code $retval} matches as a prefix (6.18 takes {@code $retval1} for {@code $retval}). */
    boolean retvalIsPrefix() {
        return this == UPROBE_6_18;
    }

    /**
     * Whether the caret offset is passed by value into a dereference (6.1), so what an inner fetch adds
     * does not outlive it; 6.18 passes it by reference.
     */
    boolean dereferenceKeepsOuterOffset() {
        return this == KPROBE_6_1;
    }

    /** Whether {@code $argN} is known here at all: always in 6.18 (to be refused), in 6.1 only at a function entry. */
    boolean knowsArguments(boolean fentry) {
        return this == UPROBE_6_18 || fentry;
    }

    /** Whether a known {@code $argN} is fetched (6.1 kprobes at a function entry) or refused (uprobes). */
    boolean fetchesArguments() {
        return this == KPROBE_6_1;
    }

    /** The error for a BTF-style name or typecast where a fetch argument should start. */
    KernelError btfArgument() {
        return this == UPROBE_6_18 ? KernelError.NOSUP_BTFARG : KernelError.BAD_FETCH_ARG;
    }
}
