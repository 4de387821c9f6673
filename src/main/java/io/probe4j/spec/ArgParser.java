package io.probe4j.spec;

import static io.probe4j.spec.Names.at;
import static io.probe4j.spec.Names.isAlpha;
import static io.probe4j.spec.Names.isDigit;

import java.util.List;

/**
 * One fetch argument, {@code [NAME=]FETCHARG[:TYPE]}, checked in the order of the kernel's
 * {@code traceprobe_parse_probe_arg()} so that the first error and its position are the kernel's.
 * The kernel compiles an argument into at most 16 fetch instructions; {@link #code} counts them the
 * same way, since that count is what limits nesting.
 *
 * <p>Where uprobes (Linux 6.18) and kprobes (Linux 6.1) differ, the {@link ArgDialect} decides.
 */
final class ArgParser {
    /** {@code FETCH_INSN_MAX - 1}: the index of the terminating instruction. */
    private static final int END = 15;
    /** {@code PARAM_MAX_STACK} on x86-64: THREAD_SIZE (16 KiB) in words. */
    private static final long PARAM_MAX_STACK = 2048;

    /** An error at {@code offset} bytes into the argument's text. */
    static final class ArgError extends Exception {
        final KernelError error;
        final int offset;
        final Errno errno;

        /** @param error the kernel's message, or null when the kernel logs nothing */
        ArgError(KernelError error, int offset, Errno errno) {
            super(error == null ? "refused without a log entry" : error.message(), null, false, false);
            this.error = error;
            this.offset = offset;
            this.errno = errno;
        }
    }

    /** What the last fetch instruction does; decides which types and wrappers are allowed. */
    private enum Op { REG, STACK, STACKP, RETVAL, IMM, COMM, DATA, DEREF, UDEREF, ARG }

    private final boolean isReturn;
    private final ArgDialect dialect;
    private final boolean fentry;   // TPARG_FL_FENTRY: a kprobe on a function entry
    private int offset;   // ctx->offset
    private int code;     // index of the current fetch instruction
    private Op last;

    private ArgParser(ArgDialect dialect, boolean isReturn, boolean fentry) {
        this.dialect = dialect;
        this.isReturn = isReturn;
        this.fentry = fentry && !isReturn;
    }

    /**
     * Parses argument number {@code index} (0-based) given the earlier arguments' names.
     *
     * @param eventSize the data bytes of the earlier arguments; updated
     */
    static FetchArg parse(String arg, int index, List<String> usedNames, boolean isReturn, int[] eventSize)
            throws ArgError {
        return new ArgParser(ArgDialect.UPROBE_6_18, isReturn, false).parseArg(arg, index, usedNames, eventSize);
    }

    /**
     * Parses a kprobe argument (Linux 6.1 rules).
     *
     * @param fentry the probe is an entry probe on a function's first instruction ({@code $argN} allowed)
     */
    static FetchArg parseKernel(String arg, int index, List<String> usedNames, boolean isReturn, boolean fentry,
                                int[] eventSize) throws ArgError {
        return new ArgParser(ArgDialect.KPROBE_6_1, isReturn, fentry).parseArg(arg, index, usedNames, eventSize);
    }

    private FetchArg parseArg(String arg, int index, List<String> usedNames, int[] eventSize) throws ArgError {
        int eq = arg.indexOf('=');
        String name;
        String body;
        if (eq >= 0) {
            if (eq > Names.MAX_ARG_NAME_LEN) {
                throw new ArgError(KernelError.ARG_NAME_TOO_LONG, 0, Errno.EINVAL);
            }
            if (eq == 0) {
                throw new ArgError(KernelError.NO_ARG_NAME, 0, Errno.EINVAL);
            }
            name = arg.substring(0, eq);
            body = arg.substring(eq + 1);
        } else {
            int colon = arg.indexOf(':');
            String candidate = colon >= 0 ? arg.substring(0, colon) : arg;
            name = Names.isGoodName(candidate) && dialect.namesArgumentsAfterThemselves() ? candidate : "arg" + (index + 1);
            body = arg;
        }
        if (!Names.isGoodName(name)) {
            throw new ArgError(KernelError.BAD_ARG_NAME, 0, Errno.EINVAL);
        }
        if (Names.RESERVED_FIELDS.contains(name) || usedNames.contains(name)) {
            throw new ArgError(KernelError.USED_ARG_NAME, 0, Errno.EINVAL);
        }
        offset = eq + 1;
        if (body.length() > Names.MAX_ARGSTR_LEN) {
            throw new ArgError(KernelError.ARG_TOO_LONG, offset, dialect.argumentTooLong());
        }
        if (body.isEmpty()) {
            throw new ArgError(KernelError.NO_ARG_BODY, offset, Errno.EINVAL);
        }
        return parseBody(name, body, eventSize);
    }

    private FetchArg parseBody(String name, String body, int[] eventSize) throws ArgError {
        // Type suffix: ":TYPE" or ":TYPE[N]".
        int colon = body.indexOf(':');
        String fetchText = colon >= 0 ? body.substring(0, colon) : body;
        String typeName = null;
        int count = 0;
        if (colon >= 0) {
            String typeText = body.substring(colon + 1);
            int open = typeText.indexOf('[');
            typeName = open >= 0 ? typeText.substring(0, open) : typeText;
            if (open >= 0) {
                int numAt = colon + 1 + open + 1;
                String rest = typeText.substring(open + 1);
                int close = rest.indexOf(']');
                if (close < 0) {
                    throw new ArgError(KernelError.ARRAY_NO_CLOSE, offset + body.length(), Errno.EINVAL);
                }
                if (close + 1 != rest.length()) {
                    throw new ArgError(KernelError.BAD_ARRAY_SUFFIX, offset + numAt + close + 1, Errno.EINVAL);
                }
                KernelNumbers.Num n = KernelNumbers.kstrtouint(rest.substring(0, close));
                if (!n.ok() || n.value() == 0) {
                    throw new ArgError(KernelError.BAD_ARRAY_NUM, offset + numAt, Errno.EINVAL);
                }
                if (n.value() > Names.MAX_ARRAY_LEN) {
                    throw new ArgError(KernelError.ARRAY_TOO_BIG, offset + numAt, Errno.EINVAL);
                }
                count = (int) n.value();
            }
        }
        int typeOffset = colon >= 0 ? colon + 1 : 0;
        ArgType base;
        if (fetchText.equals("$comm") || fetchText.equals("$COMM") || fetchText.startsWith("\\\"")) {
            if (count > 0 || (typeName != null && !typeName.equals("string"))) {
                throw new ArgError(dialect.needStringType(), offset + typeOffset, Errno.EINVAL);
            }
            base = new ArgType.StringType(false);
        } else {
            base = dialect.type(typeName);
            if (base == null) {
                throw new ArgError(KernelError.BAD_TYPE, offset + typeOffset, Errno.EINVAL);
            }
        }
        code = 0;
        Fetch fetch = parseFetch(fetchText);

        eventSize[0] += Types.size(base) * Math.max(count, 1);
        if (eventSize[0] > Names.MAX_PROBE_EVENT_SIZE) {
            throw new ArgError(KernelError.EVENT_TOO_BIG, offset, Errno.E2BIG);
        }
        ArgType type = finish(base, typeName, count, typeOffset);
        return new FetchArg(name, body, fetch, type);
    }

    /** {@code finalize_fetch_insn}: store, bitfield and array instructions, and the checks they make. */
    private ArgType finish(ArgType base, String typeName, int count, int typeOffset) throws ArgError {
        boolean memStore;   // the store reads memory (ST_MEM, ST_STRING, ST_USTRING)
        if (base instanceof ArgType.SymbolString) {
            if (last != Op.REG && last != Op.STACK && last != Op.RETVAL && last != Op.ARG && last != Op.DEREF) {
                throw new ArgError(KernelError.BAD_SYMSTRING, offset + typeOffset, Errno.EINVAL);
            }
            nextInsn(Errno.EINVAL);
            memStore = false;   // ST_SYMSTR: not allowed in arrays
        } else if (base instanceof ArgType.StringType) {
            if (last != Op.DEREF && last != Op.UDEREF && last != Op.IMM && last != Op.COMM && last != Op.DATA) {
                throw new ArgError(KernelError.BAD_STRING, offset + typeOffset, Errno.EINVAL);
            }
            if (last == Op.IMM || last == Op.COMM || last == Op.DATA || count > 0) {
                nextInsn(Errno.EINVAL);
            }
            memStore = true;
        } else if (last == Op.DEREF) {
            memStore = true;
        } else if (last == Op.UDEREF) {
            memStore = false;   // ST_UMEM: not allowed in arrays
        } else {
            nextInsn(Errno.E2BIG);
            memStore = false;
        }
        ArgType type = base;
        if (typeName != null && typeName.startsWith("b")) {
            type = bitfield(typeName, (ArgType.Scalar) base, typeOffset);
        }
        if (count > 0) {
            if (!memStore) {
                throw new ArgError(KernelError.BAD_STRING, offset + typeOffset, Errno.EINVAL);
            }
            nextInsn(Errno.E2BIG);
            type = new ArgType.Array(type, count);
        }
        return type;
    }

    private void nextInsn(Errno errno) throws ArgError {
        if (++code == END) {
            throw new ArgError(KernelError.TOO_MANY_OPS, offset, errno);
        }
    }

    /** {@code b<width>@<offset>/<container>}, read with {@code simple_strtoul} as the kernel does. */
    private ArgType bitfield(String t, ArgType.Scalar container, int typeOffset) throws ArgError {
        ArgError bad = new ArgError(KernelError.BAD_BITFIELD, offset + typeOffset, Errno.EINVAL);
        KernelNumbers.Prefix width = KernelNumbers.simpleStrtoul(t, 1);
        if (width.value() == 0 || at(t, width.end()) != '@') {
            throw bad;
        }
        KernelNumbers.Prefix bitOffset = KernelNumbers.simpleStrtoul(t, width.end() + 1);
        if (bitOffset.end() == width.end() + 1 || at(t, bitOffset.end()) != '/') {
            throw bad;
        }
        if (++code == END) {
            throw bad;
        }
        if (Long.compareUnsigned(container.bits(), width.value() + bitOffset.value()) < 0) {
            throw bad;
        }
        return new ArgType.Bitfield((int) width.value(), (int) bitOffset.value(), container.bits());
    }

    /** {@code parse_probe_arg}: the fetch part, recursively for dereferences. */
    private Fetch parseFetch(String arg) throws ArgError {
        char c = at(arg, 0);
        switch (c) {
            case '$':
                return variable(arg.substring(1));
            case '%': {
                String reg = arg.substring(1);
                if (!PtRegs.isRegister(reg)) {
                    throw new ArgError(KernelError.BAD_REG_NAME, offset, Errno.EINVAL);
                }
                last = Op.REG;
                return new Fetch.Register(reg);
            }
            case '@': {
                Fetch f;
                if (dialect.hasKernelSymbols() && !isDigit(at(arg, 1)) && at(arg, 1) != '+') {
                    // The symbol is looked up when the probe is registered; here it takes two instructions.
                    if (++code == END) {
                        throw new ArgError(KernelError.TOO_MANY_OPS, offset, Errno.EINVAL);
                    }
                    f = kernelSymbol(arg.substring(1));
                } else if (isDigit(at(arg, 1))) {
                    KernelNumbers.Num a = KernelNumbers.kstrtoull(arg.substring(1), 0);
                    if (!a.ok()) {
                        throw new ArgError(KernelError.BAD_MEM_ADDR, offset, a.errno());
                    }
                    f = new Fetch.AbsoluteMemory(a.value());
                } else if (at(arg, 1) == '+') {
                    if (dialect.hasKernelSymbols()) {
                        throw new ArgError(KernelError.FILE_ON_KPROBE, offset, Errno.EINVAL);
                    }
                    KernelNumbers.Num o = KernelNumbers.kstrtoll(arg.substring(2), 0);
                    if (!o.ok()) {
                        throw new ArgError(KernelError.BAD_FILE_OFFS, offset, o.errno());
                    }
                    f = new Fetch.FileMemory(o.value());
                } else {
                    throw new ArgError(KernelError.SYM_ON_UPROBE, offset, Errno.EINVAL);
                }
                if (++code == END) {
                    throw new ArgError(KernelError.TOO_MANY_OPS, offset, Errno.EINVAL);
                }
                last = Op.DEREF;
                return f;
            }
            case '+':
            case '-':
                return dereference(arg);
            case '\\':
                return immediate(arg);
            case '(':
                // "(STRUCT)VAR->field", a BTF typecast: refused by 6.18 with EOPNOTSUPP, unknown to 6.1
                throw new ArgError(dialect.btfArgument(), offset,
                        dialect.btfArgument() == KernelError.NOSUP_BTFARG ? Errno.EOPNOTSUPP : Errno.EINVAL);
            default:
                throw new ArgError(isAlpha(c) || c == '_' ? dialect.btfArgument() : KernelError.BAD_FETCH_ARG,
                        offset, Errno.EINVAL);
        }
    }

    /** {@code +|-[u]OFFS(FETCHARG)}. Everything after the last {@code )} is ignored, as by the kernel. */
    private Fetch dereference(String arg) throws ArgError {
        if (dialect.dereferenceKeepsOuterOffset()) {
            int outer = offset;
            try {
                return dereferenceBody(arg);
            } finally {
                offset = outer;
            }
        }
        return dereferenceBody(arg);
    }

    private Fetch dereferenceBody(String arg) throws ArgError {
        boolean user = at(arg, 1) == 'u';
        String s = user ? arg.charAt(0) + arg.substring(2) : arg;
        if (at(s, 0) == '+') {
            s = s.substring(1);
        }
        int open = s.indexOf('(');
        if (open < 0) {
            throw new ArgError(KernelError.DEREF_NEED_BRACE, offset, Errno.EINVAL);
        }
        KernelNumbers.Num off = KernelNumbers.kstrtoll(s.substring(0, open), 0);
        if (!off.ok()) {
            throw new ArgError(KernelError.BAD_DEREF_OFFS, offset, off.errno());
        }
        // The kernel's own arithmetic: off by one after a 'u', kept so carets match.
        offset += open + 1 + (at(s, 0) != '-' ? 1 : 0);
        String inner = s.substring(open + 1);
        int close = inner.lastIndexOf(')');
        if (close < 0) {
            throw new ArgError(KernelError.DEREF_OPEN_BRACE, offset + inner.length(), Errno.EINVAL);
        }
        int here = offset;
        Fetch base = parseFetch(inner.substring(0, close));
        offset = here;
        if (last == Op.COMM || last == Op.DATA) {
            throw new ArgError(KernelError.COMM_CANT_DEREF, offset, Errno.EINVAL);
        }
        if (++code == END) {
            throw new ArgError(KernelError.TOO_MANY_OPS, offset, Errno.EINVAL);
        }
        last = user ? Op.UDEREF : Op.DEREF;
        return new Fetch.Deref(off.value(), user, base);
    }

    /**
     * {@code traceprobe_split_symbol_offset} as the kernel applies it at registration: the symbol ends at
     * the first {@code +} or {@code -}, the rest is a signed number. A text that does not split keeps
     * offset 0; registering it fails (see {@code KprobeParser}).
     */
    static Fetch.KernelSymbol kernelSymbol(String text) {
        int cut = indexOfAny(text, "+-");
        if (cut < 0) {
            return new Fetch.KernelSymbol(text, 0, text);
        }
        KernelNumbers.Num off = KernelNumbers.kstrtoll(text.substring(cut), 0);
        return off.ok() ? new Fetch.KernelSymbol(text.substring(0, cut), off.value(), text)
                : new Fetch.KernelSymbol(text, 0, text);
    }

    static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** {@code \IMM} and {@code \"text"}. */
    private Fetch immediate(String arg) throws ArgError {
        if (at(arg, 1) == '"') {
            String str = arg.substring(2);
            if (str.isEmpty() || str.charAt(str.length() - 1) != '"') {
                throw new ArgError(KernelError.IMMSTR_NO_CLOSE, offset + 2 + str.length(), Errno.EINVAL);
            }
            last = Op.DATA;
            return new Fetch.ImmediateString(str.substring(0, str.length() - 1));
        }
        String s = arg.substring(1);
        char c = at(s, 0);
        KernelNumbers.Num v;
        if (isDigit(c)) {
            v = KernelNumbers.kstrtoull(s, 0);
        } else if (c == '-') {
            v = KernelNumbers.kstrtoll(s, 0);
        } else if (c == '+') {
            v = KernelNumbers.kstrtoll(s.substring(1), 0);
        } else {
            v = KernelNumbers.Num.fail(Errno.EINVAL);
        }
        if (!v.ok()) {
            throw new ArgError(KernelError.BAD_IMM, offset + 1, v.errno());
        }
        last = Op.IMM;
        return new Fetch.Immediate(v.value());
    }

    /** {@code parse_probe_vars}: {@code $retval}, {@code $stack}, {@code $stackN}, {@code $comm}, {@code $argN}. */
    private Fetch variable(String v) throws ArgError {
        if (dialect.retvalIsPrefix() ? v.startsWith("retval") : v.equals("retval")) {
            if (!isReturn) {
                throw new ArgError(KernelError.RETVAL_ON_PROBE, offset, Errno.EINVAL);
            }
            last = Op.RETVAL;
            return new Fetch.ReturnValue();
        }
        if (v.startsWith("stack")) {
            String n = v.substring(5);
            if (n.isEmpty()) {
                last = Op.STACKP;
                return new Fetch.StackPointer();
            }
            if (!isDigit(n.charAt(0)) || !KernelNumbers.kstrtoull(n, 10).ok()) {
                throw new ArgError(KernelError.BAD_VAR, offset, Errno.EINVAL);
            }
            if (dialect.boundsStackEntries() && Long.compareUnsigned(KernelNumbers.kstrtoull(n, 10).value(), PARAM_MAX_STACK) > 0) {
                throw new ArgError(KernelError.BAD_STACK_NUM, offset, Errno.EINVAL);
            }
            last = Op.STACK;
            return new Fetch.StackEntry((int) KernelNumbers.kstrtoull(n, 10).value());   // the kernel keeps an unsigned int
        }
        if (v.equals("comm") || v.equals("COMM")) {
            last = Op.COMM;
            return new Fetch.Comm();
        }
        if (dialect.knowsArguments(fentry) && v.startsWith("arg")) {
            KernelNumbers.Num n = KernelNumbers.kstrtoull(v.substring(3), 10);
            if (!n.ok()) {
                throw new ArgError(KernelError.BAD_VAR, offset, Errno.EINVAL);
            }
            if (n.value() == 0 || Long.compareUnsigned(n.value(), PARAM_MAX_STACK) > 0) {
                throw new ArgError(KernelError.BAD_ARG_NUM, offset, Errno.EINVAL);
            }
            if (!dialect.fetchesArguments()) {
                throw new ArgError(KernelError.NOFENTRY_ARGS, offset, Errno.EINVAL);
            }
            last = Op.ARG;
            return new Fetch.Argument((int) n.value());
        }
        throw new ArgError(KernelError.BAD_VAR, offset, Errno.EINVAL);
    }
}
