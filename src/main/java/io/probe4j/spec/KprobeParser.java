package io.probe4j.spec;

import static io.probe4j.spec.Names.at;
import static io.probe4j.spec.Names.isDigit;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * One {@code kprobe_events} definition, checked in the order of Linux 6.1's
 * {@code __trace_kprobe_create} (the kernel probe4j can test kprobes against; 6.18 differs in places,
 * see the README): MAXACTIVE, the probed place (address or {@code [MOD:]SYM[+OFF][%return]}), the
 * symbol's existence, uniqueness and whether a return probe sits on a function entry, the event name,
 * then the arguments. What the kernel checks only when it registers the probe (after comparing with an
 * existing event of the same name) is {@link #register}.
 */
final class KprobeParser {
    static final String DEFAULT_GROUP = "kprobes";
    /** {@code KRETPROBE_MAXACTIVE_MAX}. */
    static final int MAXACTIVE_MAX = 4096;
    /** Bytes of the {@code call __fentry__} (a 5-byte nop until traced) at the entry of an ftrace-able function. */
    static final int FENTRY_CALL_SIZE = 5;

    private final KernelSymbols symbols;

    KprobeParser(KernelSymbols symbols) {
        this.symbols = symbols;
    }

    KprobeDefinition parse(List<String> words) {
        String cmd = Parser.utf(String.join(" ", words));
        String w0 = words.getFirst();
        char kind = w0.charAt(0);
        if (kind != 'p' && kind != 'r') {
            throw SpecException.silent("unknown command '" + Parser.utf(w0) + "': a definition starts with p, r or -",
                    cmd, Errno.EINVAL);
        }
        if (words.size() < 2) {
            throw SpecException.silent("the probed SYMBOL or ADDRESS is missing", cmd, Errno.EINVAL);
        }
        boolean isReturn = kind == 'r';
        int colon = w0.indexOf(':', 1);
        String event = colon >= 0 ? w0.substring(colon + 1) : null;
        OptionalInt maxActive = OptionalInt.empty();
        if (isDigit(at(w0, 1))) {
            if (!isReturn) {
                throw error(KernelError.MAXACT_NO_KPROBE, words, 0, 1, Errno.EINVAL);
            }
            String digits = colon >= 0 ? w0.substring(1, colon) : w0.substring(1);
            KernelNumbers.Num n = KernelNumbers.kstrtouint(digits);
            if (digits.length() > Names.MAX_EVENT_NAME_LEN - 1 || !n.ok() || n.value() == 0) {
                throw error(KernelError.BAD_MAXACT, words, 0, 1, Errno.EINVAL);
            }
            if (n.value() > MAXACTIVE_MAX) {
                throw error(KernelError.MAXACT_TOO_BIG, words, 0, 1, Errno.EINVAL);
            }
            maxActive = OptionalInt.of((int) n.value());
        }

        String place = words.get(1);
        KernelTarget target;
        boolean fentry = false;
        String autoName;
        KernelNumbers.Num address = KernelNumbers.kstrtoull(place, 0);
        if (address.ok()) {
            target = new KernelTarget.Address(address.value());
            autoName = String.format("%c_0x%016x", isReturn ? 'r' : 'p', address.value());
        } else {
            if (place.indexOf('/') >= 0 && place.indexOf(':') >= 0) {
                throw SpecException.silent("PATH:OFFSET is a uprobe: write it to uprobe_events", cmd, Errno.EINVAL);
            }
            String symbol = place;
            int pct = symbol.indexOf('%');
            if (pct >= 0) {
                if (!symbol.substring(pct).equals("%return")) {
                    throw error(KernelError.BAD_ADDR_SUFFIX, words, 1, pct, Errno.EINVAL);
                }
                isReturn = true;
                symbol = symbol.substring(0, pct);
            }
            long offset = 0;
            int cut = ArgParser.indexOfAny(symbol, "+-");
            if (cut >= 0) {
                KernelNumbers.Num off = KernelNumbers.kstrtoll(symbol.substring(cut), 0);
                if (!off.ok() || off.value() < 0 || off.value() > 0xffff_ffffL) {
                    throw error(KernelError.BAD_PROBE_ADDR, words, 1, 0, Errno.EINVAL);
                }
                offset = off.value();
                symbol = symbol.substring(0, cut);
            }
            int modColon = symbol.indexOf(':');
            String module = modColon >= 0 ? symbol.substring(0, modColon) : null;
            String name = modColon >= 0 ? symbol.substring(modColon + 1) : symbol;
            // validate_probe_symbol (6.1): only a symbol without a module is checked now; a module's symbol
            // is looked up at registration, or when the module loads.
            if (module == null) {
                int count = symbols.lookup(null, Parser.utf(name)).size();
                if (count > 1) {
                    throw error(KernelError.NON_UNIQ_SYMBOL, words, 1, 0, Errno.EADDRNOTAVAIL);
                }
                if (count == 0) {
                    throw error(KernelError.BAD_PROBE_ADDR, words, 1, 0, Errno.ENOENT);
                }
            }
            boolean exists = module == null
                    || symbols.moduleLoaded(Parser.utf(module)) && !symbols.lookup(Parser.utf(module), Parser.utf(name)).isEmpty();
            if (exists) {
                // kprobe_on_func_entry: only offset 0 is the entry (this kernel has no IBT endbr64 to skip).
                fentry = offset == 0;
                if (!fentry && isReturn) {
                    throw error(KernelError.BAD_RETPROBE, words, 1, 0, Errno.EINVAL);
                }
            }
            target = new KernelTarget.Symbol(module == null ? null : Parser.utf(module), Parser.utf(name), offset);
            autoName = sanitize(String.format("%c_%s_%d", isReturn ? 'r' : 'p', symbol, offset));
        }

        String group = DEFAULT_GROUP;
        if (event != null) {
            String[] ge = Parser.eventName(event, words, colon + 1, SpecException.KPROBE);
            group = ge[0] == null ? group : ge[0];
            event = ge[1];
        }
        if (event == null) {
            event = cut63(autoName);
        }

        List<FetchArg> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int[] size = {0};
        // 6.1 reads at most MAX_TRACE_ARGS arguments and ignores the rest without a word.
        for (int i = 0; i + 2 < words.size() && i < Names.MAX_TRACE_ARGS; i++) {
            try {
                FetchArg a = ArgParser.parseKernel(words.get(i + 2), i, names, isReturn, fentry, size);
                names.add(a.name());
                args.add(a);
            } catch (ArgParser.ArgError e) {
                if (e.error == null) {
                    throw SpecException.silent("$comm and immediate strings take only the string type", cmd, e.errno);
                }
                throw error(e.error, words, i + 2, e.offset, e.errno);
            }
        }
        return new KprobeDefinition(isReturn, maxActive, Parser.utf(group), Parser.utf(event), target,
                args.stream().map(KprobeParser::utf).toList());
    }

    /**
     * What {@code register_trace_kprobe} checks after the event-name comparison: every {@code @SYM}
     * argument must resolve ({@code traceprobe_update_arg}), then the probe itself must register (the
     * symbol of a loaded module, a text symbol, not inside the 5-byte ftrace call at a function's entry,
     * a return probe only on a function entry, no address 0). Addresses and offsets about which
     * {@code symbols} knows nothing are accepted: the kernel may still refuse them when it decodes its text.
     */
    static void register(KprobeDefinition d, List<String> words, KernelSymbols symbols) {
        for (FetchArg a : d.args()) {
            Fetch.KernelSymbol s = kernelSymbol(a.fetch());
            if (s == null) {
                continue;
            }
            int cut = ArgParser.indexOfAny(s.text(), "+-");
            if (cut >= 0 && !KernelNumbers.kstrtoll(s.text().substring(cut), 0).ok()) {
                throw error(KernelError.FAIL_REG_PROBE, words, 1, 0, Errno.EINVAL);
            }
            String name = cut >= 0 ? s.text().substring(0, cut) : s.text();
            if (name.isEmpty() || symbols.address(name).isEmpty()) {
                throw error(KernelError.BAD_PROBE_ADDR, words, 1, 0, Errno.ENOENT);
            }
        }
        switch (d.target()) {
            case KernelTarget.Symbol s -> {
                if (s.module() != null && !symbols.moduleLoaded(s.module())) {
                    return;   // registered when the module loads
                }
                List<KernelSymbols.Entry> found = symbols.lookup(s.module(), s.name());
                if (found.isEmpty()) {
                    throw error(KernelError.BAD_PROBE_ADDR, words, 1, 0, Errno.ENOENT);
                }
                KernelSymbols.Entry e = found.getFirst();
                if (!e.isText()) {
                    throw error(KernelError.FAIL_REG_PROBE, words, 1, 0, Errno.EINVAL);
                }
                checkOffset(s.offset(), symbols.ftraced(s.name()), words);
            }
            case KernelTarget.Address a -> {
                if (a.address() == 0) {
                    throw error(KernelError.FAIL_REG_PROBE, words, 1, 0, Errno.EINVAL);
                }
                var f = symbols.functionContaining(a.address());
                if (f.isPresent()) {
                    long offset = a.address() - f.get().address();
                    if (d.isReturn() && offset != 0) {   // register_kretprobe's own entry check: no BAD_RETPROBE
                        throw error(KernelError.FAIL_REG_PROBE, words, 1, 0, Errno.EINVAL);
                    }
                    checkOffset(offset, symbols.ftraced(f.get().name()), words);
                }
            }
        }
    }

    private static void checkOffset(long offset, boolean ftraced, List<String> words) {
        if (ftraced && offset > 0 && offset < FENTRY_CALL_SIZE) {
            throw error(KernelError.BAD_INSN_BNDRY, words, 1, 0, Errno.EILSEQ);
        }
    }

    /** The {@code @SYM} at the bottom of a fetch, if any (an argument has at most one). */
    static Fetch.KernelSymbol kernelSymbol(Fetch f) {
        return switch (f) {
            case Fetch.KernelSymbol s -> s;
            case Fetch.Deref d -> kernelSymbol(d.base());
            default -> null;
        };
    }

    /** {@code sanitize_event_name}: {@code :} and {@code .} become {@code _} (the first character is kept). */
    private static String sanitize(String name) {
        return name.charAt(0) + name.substring(1).replace(':', '_').replace('.', '_');
    }

    /** The kernel prints automatic names into a 64-byte buffer. */
    private static String cut63(String latin) {
        return latin.length() > Names.MAX_EVENT_NAME_LEN - 1 ? latin.substring(0, Names.MAX_EVENT_NAME_LEN - 1) : latin;
    }

    static SpecException error(KernelError e, List<String> words, int index, int offset, Errno errno) {
        return Parser.error(SpecException.KPROBE, e, words, index, offset, errno);
    }

    private static FetchArg utf(FetchArg a) {
        Fetch f = switch (a.fetch()) {
            case Fetch.ImmediateString(String v) -> new Fetch.ImmediateString(Parser.utf(v));
            default -> a.fetch();
        };
        return new FetchArg(Parser.utf(a.name()), Parser.utf(a.text()), f, a.type());
    }
}
