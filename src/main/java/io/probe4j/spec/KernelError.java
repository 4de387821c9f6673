package io.probe4j.spec;

/**
 * The kernel's probe-event error messages ({@code ERRORS} in {@code kernel/trace/trace_probe.h}), in
 * the words {@code error_log} prints them: the ones a uprobe definition (kernel 6.18) or a kprobe
 * definition (kernel 6.1) can reach. probe4j reuses {@link #BAD_PROBE_ADDR} for its
 * {@code PATH:SYMBOL} extension.
 */
public enum KernelError {
    FILE_NOT_FOUND("Failed to find the given file"),
    NO_REGULAR_FILE("Not a regular file"),
    BAD_REFCNT("Invalid reference counter offset"),
    REFCNT_OPEN_BRACE("Reference counter brace is not closed"),
    BAD_REFCNT_SUFFIX("Reference counter has wrong suffix"),
    BAD_UPROBE_OFFS("Invalid uprobe offset"),
    BAD_PROBE_ADDR("Invalid probed address or symbol"),
    BAD_ADDR_SUFFIX("Invalid probed address suffix"),
    NO_GROUP_NAME("Group name is not specified"),
    GROUP_TOO_LONG("Group name is too long"),
    BAD_GROUP_NAME("Group name must follow the same rules as C identifiers"),
    NO_EVENT_NAME("Event name is not specified"),
    EVENT_TOO_LONG("Event name is too long"),
    BAD_EVENT_NAME("Event name must follow the same rules as C identifiers"),
    EVENT_EXIST("Given group/event name is already used by another event"),
    RETVAL_ON_PROBE("$retval is not available on probe"),
    BAD_STACK_NUM("Invalid stack number"),
    BAD_ARG_NUM("Invalid argument number"),
    BAD_VAR("Invalid $-variable specified"),
    BAD_REG_NAME("Invalid register name"),
    BAD_MEM_ADDR("Invalid memory address"),
    BAD_IMM("Invalid immediate value"),
    IMMSTR_NO_CLOSE("String is not closed with '\"'"),
    BAD_FILE_OFFS("Invalid file offset value"),
    SYM_ON_UPROBE("Symbol is not available with uprobe"),
    TOO_MANY_OPS("Dereference is too much nested"),
    DEREF_NEED_BRACE("Dereference needs a brace"),
    BAD_DEREF_OFFS("Invalid dereference offset"),
    DEREF_OPEN_BRACE("Dereference brace is not closed"),
    COMM_CANT_DEREF("$comm can not be dereferenced"),
    BAD_FETCH_ARG("Invalid fetch argument"),
    ARRAY_NO_CLOSE("Array is not closed"),
    BAD_ARRAY_SUFFIX("Array has wrong suffix"),
    BAD_ARRAY_NUM("Invalid array size"),
    ARRAY_TOO_BIG("Array number is too big"),
    BAD_TYPE("Unknown type is specified"),
    BAD_STRING("String accepts only memory argument"),
    BAD_BITFIELD("Invalid bitfield"),
    ARG_NAME_TOO_LONG("Argument name is too long"),
    NO_ARG_NAME("Argument name is not specified"),
    BAD_ARG_NAME("Argument name must follow the same rules as C identifiers"),
    USED_ARG_NAME("This argument name is already used"),
    ARG_TOO_LONG("Argument expression is too long"),
    NO_ARG_BODY("No argument expression"),
    DIFF_PROBE_TYPE("Probe type is different from existing probe"),
    DIFF_ARG_TYPE("Argument type or name is different from existing probe"),
    SAME_PROBE("There is already the exact same probe event"),
    NOSUP_BTFARG("BTF is not available or not supported"),
    NOFENTRY_ARGS("$arg* can be used only on function entry or exit"),
    TOO_MANY_ARGS("Too many arguments are specified"),
    NEED_STRING_TYPE("$comm and immediate-string only accepts string type"),
    EVENT_TOO_BIG("Event too big (too many fields?)"),
    // kprobe_events only
    MAXACT_NO_KPROBE("Maxactive is not for kprobe"),
    BAD_MAXACT("Invalid maxactive number"),
    MAXACT_TOO_BIG("Maxactive is too big"),
    NON_UNIQ_SYMBOL("The symbol is not unique"),
    BAD_RETPROBE("Retprobe address must be an function entry"),
    FILE_ON_KPROBE("File offset is not available with kprobe"),
    BAD_SYMSTRING("Symbol String doesn't accept data/userdata"),
    BAD_INSN_BNDRY("Probe point is not an instruction boundary"),
    FAIL_REG_PROBE("Failed to register probe event");

    private final String message;

    KernelError(String message) {
        this.message = message;
    }

    /** The text {@code error_log} shows after {@code trace_uprobe: error: } (or {@code trace_kprobe: error: }). */
    public String message() {
        return message;
    }
}
