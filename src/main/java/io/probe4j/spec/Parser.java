package io.probe4j.spec;

import static io.probe4j.spec.Names.at;
import static io.probe4j.spec.Names.isAlpha;
import static io.probe4j.spec.Names.isDigit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Parses lines of the {@code uprobe_events} language. It checks what the kernel checks, in the
 * kernel's order ({@code __trace_uprobe_create}, {@code traceprobe_parse_probe_arg},
 * {@code dyn_event_release}), so a bad line fails with the kernel's first error at the kernel's
 * position. Works on bytes, as the kernel does: a line is read as UTF-8 and carets count bytes.
 *
 * <p>{@link Mode#KERNEL} accepts exactly what {@code uprobe_events} accepts. {@link Mode#EXTENDED}
 * also takes probe4j's {@code PATH:SYMBOL[+OFF]}, {@code PATH:PROVIDER:NAME} (a USDT probe, see
 * {@link UsdtSyntax}) and a PATH without {@code /} (a program or library
 * name); such targets are not looked up here but by {@code io.probe4j.elf}
 * ({@link ProbeDefinition#needsResolution()}).
 *
 * <p>State the kernel keeps between lines (existing events) is {@link DefinitionSet}'s job.
 */
public final class Parser {

    /**
     * Which language: the kernel's {@code uprobe_events}, that plus probe4j's extensions, or the kernel's
     * {@code kprobe_events} (as Linux 6.1 takes it; see {@link KprobeParser}).
     */
    public enum Mode { KERNEL, EXTENDED, KPROBE }

    /** A parsed line with the words the kernel split it into (errors found later point into these). */
    record Line(Definition definition, List<String> words) {
        String command() {
            return String.join(" ", words);
        }
    }

    private final Mode mode;
    private final FileLookup files;
    private final KernelSymbols symbols;

    public Parser(Mode mode, FileLookup files) {
        this(mode, files, KernelSymbols.UNKNOWN);
    }

    private Parser(Mode mode, FileLookup files, KernelSymbols symbols) {
        this.mode = mode;
        this.files = files;
        this.symbols = symbols;
    }

    /**
     * The {@code kprobe_events} language, checking symbols against {@code symbols} (e.g.
     * {@link KernelSymbols#running()}), as the kernel checks them when a probe is created and registered.
     */
    public static Parser kprobe(KernelSymbols symbols) {
        return new Parser(Mode.KPROBE, FileLookup.REAL, symbols);
    }

    /** Exactly the kernel's language, checking files on the real file system. */
    public static Parser kernel() {
        return new Parser(Mode.KERNEL, FileLookup.REAL);
    }

    /** The kernel's language plus probe4j's extensions, checking files on the real file system. */
    public static Parser extended() {
        return new Parser(Mode.EXTENDED, FileLookup.REAL);
    }

    public Mode mode() {
        return mode;
    }

    /** The kernel symbols a kprobe parser checks against. */
    KernelSymbols symbols() {
        return symbols;
    }

    /**
     * One line (without its newline). Empty for a blank line or a comment.
     *
     * @throws SpecException when the kernel would refuse the line
     */
    public Optional<Definition> parseLine(String line) {
        Line l = parse(line);
        if (l != null && l.definition() instanceof KprobeDefinition k) {
            KprobeParser.register(k, l.words(), symbols);   // as if no event of that name existed yet
        }
        return l == null ? Optional.empty() : Optional.of(l.definition());
    }

    /** Every line of {@code text}; stops at the first bad one, as a write to the kernel does. */
    public List<Definition> parseText(String text) {
        List<Definition> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            parseLine(line).ifPresent(out::add);
        }
        return out;
    }

    Line parse(String line) {
        String raw = latin(line);
        if (raw.length() > Names.MAX_LINE_LEN) {
            throw SpecException.silent("line longer than " + Names.MAX_LINE_LEN + " bytes",
                    utf(raw.substring(0, 60)) + "...", Errno.EINVAL);
        }
        int hash = raw.indexOf('#');
        if (hash >= 0) {
            raw = raw.substring(0, hash);   // the kernel cuts at any '#', even inside an argument
        }
        List<String> words = split(raw);
        if (words.isEmpty()) {
            return null;
        }
        if (raw.charAt(0) == '-') {
            return new Line(removal(words), words);
        }
        if (mode == Mode.KPROBE) {
            return new Line(new KprobeParser(symbols).parse(words), words);
        }
        return new Line(probe(words), words);
    }

    private Definition removal(List<String> words) {
        String w0 = words.get(0);
        String cmd = utf(String.join(" ", words));
        if (at(w0, 1) != ':') {
            throw SpecException.silent("a removal is written -:[GRP/]EVENT", cmd, Errno.EINVAL);
        }
        String event = w0.substring(2);
        String group = null;
        int slash = event.indexOf('/');
        if (slash >= 0) {
            group = event.substring(0, slash);
            event = event.substring(slash + 1);
        }
        if (group == null && event.isEmpty()) {
            throw SpecException.silent("no event named after -:", cmd, Errno.EINVAL);
        }
        return new RemoveDefinition(group == null ? null : utf(group), utf(event),
                words.subList(1, words.size()).stream().map(Parser::utf).toList());
    }

    private Definition probe(List<String> words) {
        String w0 = words.get(0);
        char kind = w0.charAt(0);
        if (kind != 'p' && kind != 'r') {
            throw SpecException.silent("unknown command '" + utf(w0) + "': a definition starts with p, r or -",
                    command(words), Errno.EINVAL);
        }
        if (words.size() < 2) {
            throw SpecException.silent("PATH:OFFSET is missing", command(words), Errno.EINVAL);
        }
        if (words.size() - 2 > Names.MAX_TRACE_ARGS) {
            throw error(KernelError.TOO_MANY_ARGS, words, 2, 0, Errno.E2BIG);
        }
        boolean isReturn = kind == 'r';
        String event = at(w0, 1) == ':' ? w0.substring(2) : null;   // "pfoo" is a plain p, as in the kernel
        String target = words.get(1);
        boolean hasSlash = target.indexOf('/') >= 0;
        if (!hasSlash && mode == Mode.KERNEL) {
            throw SpecException.silent("PATH must contain '/'", command(words), Errno.EINVAL);
        }
        int colon = target.lastIndexOf(':');
        char first = colon >= 0 ? at(target, colon + 1) : 0;
        boolean numeric = isDigit(first);
        boolean symbol = !numeric && mode == Mode.EXTENDED
                && (isAlpha(first) || first == '_' || first == '.' || ProbeTarget.Location.Symbol.isPatternChar(first));
        if (colon < 0 || !(numeric || symbol)) {
            throw SpecException.silent(mode == Mode.KERNEL
                    ? "expected PATH:OFFSET with OFFSET a number" : "expected PATH:OFFSET or PATH:SYMBOL[+OFF]",
                    command(words), Errno.EINVAL);
        }
        String path = target.substring(0, colon);
        String utfPath = utf(path);
        if (numeric && hasSlash) {
            checkFile(utfPath, words);
        }
        String rest = target.substring(colon + 1);
        int restAt = colon + 1;
        OptionalLong refCtr = OptionalLong.empty();
        String addr = rest;
        int open = rest.indexOf('(');
        if (open >= 0) {
            int close = rest.indexOf(')', open);
            if (close < 0) {
                throw error(KernelError.REFCNT_OPEN_BRACE, words, 1, target.length(), Errno.EINVAL);
            }
            if (close + 1 != rest.length()) {
                throw error(KernelError.BAD_REFCNT_SUFFIX, words, 1, restAt + close + 1, Errno.EINVAL);
            }
            KernelNumbers.Num ref = KernelNumbers.kstrtoull(rest.substring(open + 1, close), 0);
            if (!ref.ok()) {
                throw error(KernelError.BAD_REFCNT, words, 1, restAt + open + 1, ref.errno());
            }
            refCtr = OptionalLong.of(ref.value());
            addr = rest.substring(0, open);
        }
        int pct = addr.indexOf('%');
        if (pct >= 0) {
            if (!addr.substring(pct).equals("%return")) {
                throw error(KernelError.BAD_ADDR_SUFFIX, words, 1, restAt + pct, Errno.EINVAL);
            }
            isReturn = true;
            addr = addr.substring(0, pct);
        }
        ProbeTarget.Location location = numeric ? fileOffset(addr, words, restAt) : symbol(addr, words, restAt);
        if (symbol && UsdtSyntax.pathOf(path) != null) {
            location = UsdtSyntax.location(utfPath, (ProbeTarget.Location.Symbol) location, isReturn, open >= 0, command(words));
            path = UsdtSyntax.pathOf(path);
            utfPath = utf(path);
        }

        String group = "uprobes";
        if (event != null) {
            String[] ge = eventName(event, words, 2, SpecException.UPROBE);
            group = ge[0] == null ? group : ge[0];
            event = ge[1];
        }
        ProbeTarget probeTarget = new ProbeTarget(utfPath, location, refCtr);
        if (event == null && numeric && hasSlash) {
            event = AutoName.of(path, ((ProbeTarget.Location.FileOffset) location).offset());
        }

        List<FetchArg> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int[] size = {0};
        for (int i = 0; i + 2 < words.size(); i++) {
            try {
                FetchArg a = ArgParser.parse(words.get(i + 2), i, names, isReturn, size);
                names.add(a.name());
                args.add(a);
            } catch (ArgParser.ArgError e) {
                throw error(e.error, words, i + 2, e.offset, e.errno);
            }
        }
        return new ProbeDefinition(isReturn, utf(group), event == null ? null : utf(event), probeTarget,
                args.stream().map(Parser::utf).toList());
    }

    /** That {@code path} (Java text, converted from the line's UTF-8) names a regular file, as the kernel asks; its error otherwise. */
    private void checkFile(String path, List<String> words) {
        switch (files.lookup(path)) {
            case FileLookup.Result.Regular r -> {
            }
            case FileLookup.Result.NotRegular n ->
                    throw error(KernelError.NO_REGULAR_FILE, words, 1, 0, Errno.EINVAL);
            case FileLookup.Result.Missing m -> throw error(KernelError.FILE_NOT_FOUND, words, 1, 0, m.errno());
        }
    }

    private static ProbeTarget.Location fileOffset(String addr, List<String> words, int at) {
        KernelNumbers.Num off = KernelNumbers.kstrtoull(addr, 0);
        if (!off.ok()) {
            throw error(KernelError.BAD_UPROBE_OFFS, words, 1, at, off.errno());
        }
        return new ProbeTarget.Location.FileOffset(off.value());
    }

    /**
     * probe4j's {@code SYMBOL[+OFF]}; the symbol is any text up to {@code +} (C++ and versioned names too),
     * or a pattern ({@code str*}) naming every function it matches.
     */
    private static ProbeTarget.Location symbol(String addr, List<String> words, int at) {
        int plus = addr.indexOf('+');
        String name = plus >= 0 ? addr.substring(0, plus) : addr;
        long off = 0;
        if (plus >= 0) {
            KernelNumbers.Num o = KernelNumbers.kstrtoull(addr.substring(plus + 1), 0);
            if (!o.ok()) {
                throw error(KernelError.BAD_PROBE_ADDR, words, 1, at + plus + 1, o.errno());
            }
            off = o.value();
        }
        if (plus >= 0 && ProbeTarget.Location.Symbol.isPattern(name)) {
            throw SpecException.silent("the pattern " + utf(name) + " names many functions: +OFF cannot go with it",
                    utf(String.join(" ", words)), Errno.EINVAL);
        }
        return new ProbeTarget.Location.Symbol(utf(name), off);
    }

    /**
     * {@code traceprobe_parse_event_name}: returns {group or null, event or null (automatic)}.
     *
     * @param offset where {@code text} starts in the first word
     */
    static String[] eventName(String text, List<String> words, int offset, String subsystem) {
        String group = null;
        int slash = text.indexOf('/');
        if (slash < 0) {
            slash = text.indexOf('.');
        }
        String event = text;
        if (slash >= 0) {
            if (slash == 0) {
                throw error(subsystem, KernelError.NO_GROUP_NAME, words, 0, offset, Errno.EINVAL);
            }
            if (slash + 1 > Names.MAX_EVENT_NAME_LEN) {
                throw error(subsystem, KernelError.GROUP_TOO_LONG, words, 0, offset, Errno.EINVAL);
            }
            group = text.substring(0, slash);
            if (!Names.isGoodSystemName(group)) {
                throw error(subsystem, KernelError.BAD_GROUP_NAME, words, 0, offset, Errno.EINVAL);
            }
            event = text.substring(slash + 1);
            offset += slash + 1;
        }
        if (event.isEmpty()) {
            if (slash >= 0) {
                return new String[] {group, null};
            }
            throw error(subsystem, KernelError.NO_EVENT_NAME, words, 0, offset, Errno.EINVAL);
        }
        if (event.length() >= Names.MAX_EVENT_NAME_LEN) {
            throw error(subsystem, KernelError.EVENT_TOO_LONG, words, 0, offset, Errno.EINVAL);
        }
        if (!Names.isGoodName(event)) {
            throw error(subsystem, KernelError.BAD_EVENT_NAME, words, 0, offset, Errno.EINVAL);
        }
        return new String[] {group, event};
    }

    /**
     * An error in word {@code index} at {@code offset} bytes into it. Like the kernel, an index past
     * the last word puts the caret one space after the command.
     */
    static SpecException error(KernelError e, List<String> words, int index, int offset, Errno errno) {
        return error(SpecException.UPROBE, e, words, index, offset, errno);
    }

    /** As {@link #error(KernelError, List, int, int, Errno)}, logged under {@code subsystem}. */
    static SpecException error(String subsystem, KernelError e, List<String> words, int index, int offset, Errno errno) {
        int pos = 0;
        for (int i = 0; i < Math.min(index, words.size()); i++) {
            pos += words.get(i).length() + 1;
        }
        if (index >= words.size()) {
            offset = 0;
        }
        return new SpecException(subsystem, e, utf(String.join(" ", words)), pos + offset, errno);
    }

    /** The definition as the kernel's messages quote it: only for a message (a thousand lines in a cold JVM). */
    private static String command(List<String> words) {
        return utf(String.join(" ", words));
    }

    /** {@code argv_split}: words separated by runs of white space. */
    static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        // the line's bytes (it is Latin-1: copied, not converted), not charAt: a thousand lines are split
        // before the JIT has compiled this, and each charAt is a chain of calls the interpreter makes
        byte[] c = s.getBytes(StandardCharsets.ISO_8859_1);
        int i = 0;
        while (i < c.length) {
            while (i < c.length && Names.isSpace((char) (c[i] & 0xff))) {
                i++;
            }
            int start = i;
            while (i < c.length && !Names.isSpace((char) (c[i] & 0xff))) {
                i++;
            }
            if (i > start) {
                words.add(new String(c, start, i - start, StandardCharsets.ISO_8859_1));
            }
        }
        return words;
    }

    /** UTF-8 text as one char per byte, so that indexes are the kernel's byte offsets. */
    static String latin(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    static String utf(String latin) {
        return new String(latin.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static FetchArg utf(FetchArg a) {
        Fetch f = a.fetch() instanceof Fetch.ImmediateString(String v) ? new Fetch.ImmediateString(utf(v)) : a.fetch();
        return new FetchArg(utf(a.name()), utf(a.text()), f, a.type());
    }
}
