package io.probe4j.engine.kernel;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.event.Value;
import io.probe4j.spec.FetchArg;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses trace_pipe text lines of the session's instance back into {@link ProbeEvent}s. The instance
 * records the thread group id, so lines look like
 * <pre>
 *                t-4436    (   4436) [001] DBZff   652.538612: add: (0x55e928b44149) a=0 b=0
 * </pre>
 * (the {@code (TGID)} column is read for the pid and not printed again). Kprobe lines carry the
 * kernel's symbol text instead of addresses: {@code (vfs_read+0x0/0x310)},
 * {@code (do_syscall_64+0x5d/0xb0 <- ksys_read)}. Lines are Latin-1 strings: one char per byte.
 */
final class TraceLineParser {

    /** What one line (or several, for a string that contained a newline) turned out to be. */
    sealed interface Parsed {
        /** One of the session's events. */
        record Event(ProbeEvent event) implements Parsed {
        }

        /** {@code CPU:N [LOST M EVENTS]}: the ring buffer overwrote events before they were read. */
        record Lost(long count) implements Parsed {
        }

        /** A {@code trace_marker} write. */
        record Marker(String text) implements Parsed {
        }

        /** The line ends inside a string value: join the next line (the string held a newline). */
        record Incomplete() implements Parsed {
        }

        /** The context line of the kernel's {@code userstacktrace} entry of thread {@code tid}'s event. */
        record UserStackHeader(int tid) implements Parsed {
        }

        /** A {@code " => TEXT"} line of a stack entry. */
        record StackLine(String text) implements Parsed {
        }

        /** Not understood. */
        record Unparsed(String why) implements Parsed {
        }
    }

    /** The session's events by kernel name: one definition, or the members of a shared event by number. */
    private final Map<String, KernelEvent[]> byName = new HashMap<>();

    TraceLineParser(List<KernelEvent> events) {
        Map<String, List<KernelEvent>> grouped = new HashMap<>();
        for (KernelEvent e : events) {
            grouped.computeIfAbsent(e.kernelName(), n -> new ArrayList<>()).add(e);
        }
        grouped.forEach((name, members) -> {
            KernelEvent[] byMember = new KernelEvent[members.size()];
            for (KernelEvent e : members) {
                byMember[Math.max(e.member(), 0)] = e;
            }
            byName.put(name, byMember);
        });
    }

    Parsed parse(String line) {
        try {
            return parseLine(line);
        } catch (RuntimeException e) { // a number or column out of place: not a line of ours
            return new Parsed.Unparsed("not a trace line (" + e.getMessage() + ")");
        }
    }

    /**
     * The process of thread {@code tid}. The kernel's {@code (TGID)} column, like its comm column, comes
     * from a cache indexed by pid and filled at context switches: for a task that has not switched
     * since it was born it is {@code -------} or the tgid of an earlier task with the same number. So
     * /proc decides, once per thread, while the thread lives; the kernel's value is the fallback.
     */
    private int tgidOf(int tid, int kernelsGuess) {
        return tgids.computeIfAbsent(tid, t -> ProcTgid.ofLive(t).orElse(kernelsGuess));
    }

    private static final String STACK_LINE = " => ";
    private static final String MARKER = "tracing_mark_write";

    private final Map<Integer, Integer> tgids = new HashMap<>();

    private Parsed parseLine(String line) {
        if (line.startsWith("CPU:") && line.endsWith(" EVENTS]")) {
            int at = line.indexOf("[LOST ");
            if (at > 0) {
                return new Parsed.Lost(Long.parseLong(line.substring(at + 6, line.length() - 8).trim()));
            }
        }
        if (line.startsWith(STACK_LINE)) {
            return new Parsed.StackLine(line.substring(STACK_LINE.length()));
        }
        // comm is right-aligned in 16 columns and never longer than 15 bytes, then '-'.
        if (line.length() < 40 || line.charAt(16) != '-') {
            return new Parsed.Unparsed("not a trace line");
        }
        String comm = line.substring(0, 16).stripLeading(); // one char per byte, as ProbeEvent.comm
        int p = 17;
        int e = digits(line, p);
        int tid = Integer.parseInt(line, p, e, 10);
        p = skipSpaces(line, e);
        int pid = tid;
        if (line.charAt(p) == '(') {
            int close = line.indexOf(')', p);
            String tgid = line.substring(p + 1, close).trim();
            pid = tgidOf(tid, tgid.startsWith("-") ? tid : Integer.parseInt(tgid));
            p = skipSpaces(line, close + 1);
        }
        if (line.charAt(p) != '[') {
            return new Parsed.Unparsed("no [CPU] column");
        }
        e = line.indexOf(']', p);
        int cpu = Integer.parseInt(line, p + 1, e, 10);
        String flags = line.substring(e + 2, e + 7);
        p = skipSpaces(line, e + 7);
        int dot = line.indexOf('.', p);
        long secs = Long.parseLong(line, p, dot, 10);
        long usecs = Long.parseLong(line, dot + 1, dot + 7, 10);
        p = dot + 7;
        if (!line.startsWith(": ", p)) {
            return new Parsed.Unparsed("no timestamp");
        }
        if (line.startsWith(TraceText.USER_STACK_HEADER, p + 2) && line.length() == p + 2 + TraceText.USER_STACK_HEADER.length()) {
            return new Parsed.UserStackHeader(tid);
        }
        int nameEnd = line.indexOf(": ", p + 2);
        if (nameEnd < 0) {
            return new Parsed.Unparsed("no event name");
        }
        String name = line.substring(p + 2, nameEnd);
        p = nameEnd + 2;
        if (name.equals(MARKER) || name.startsWith(MARKER + " <")) { // with sym-addr: "tracing_mark_write <ffffffff814aa001>"
            return new Parsed.Marker(line.substring(p));
        }
        KernelEvent[] members = byName.get(name);
        if (members == null) {
            return new Parsed.Unparsed("event " + name + " is not one of this session's");
        }
        KernelEvent ke = members[0];
        List<FetchArg> defs = ke.kernelArgs();
        int close = ke.isKprobe() ? kernelSiteEnd(line, p, defs) : line.indexOf(')', p);
        if (close < 0 || !line.startsWith(ke.isKprobe() ? "(" : "(0x", p)) {
            return new Parsed.Unparsed(ke.isKprobe() ? "no (symbol+offset/size)" : "no (address)");
        }
        ProbeEvent.Site site = ke.isKprobe() ? kernelSite(line.substring(p + 1, close), ke.isReturn()) : userSite(line, p, close);
        if (site == null) {
            return new Parsed.Unparsed("no (return <- function)");
        }
        ArgTextParser.Result r = ArgTextParser.parse(line, close + 1, defs);
        Value[] values = r.values();
        if (values == null) {
            return r.ranOut() ? new Parsed.Incomplete() : new Parsed.Unparsed("arguments do not match the definition");
        }
        if (ke.member() >= 0) { // a shared event: its last argument says whose line this is
            long member = values[values.length - 1] instanceof Value.Unsigned(long m) ? m : -1;
            if (member < 0 || member >= members.length) {
                return new Parsed.Unparsed("member " + member + " is not one of event " + name + "'s");
            }
            ke = members[(int) member];
        }
        int shown = ke.args().size();
        if (values.length > shown && values[shown] instanceof Value.Text t) {
            comm = new String(t.bytes(), StandardCharsets.ISO_8859_1); // recorded at the hit: see KernelEvent.COMM_ARG
        }
        List<ProbeEvent.Arg> args = new ArrayList<>(shown);
        for (int i = 0; i < shown; i++) {
            args.add(new ProbeEvent.Arg(defs.get(i).name(), values[i]));
        }
        return new Parsed.Event(new ProbeEvent(comm, pid, tid, cpu, flags, secs * 1_000_000_000L + usecs * 1000,
                ke.userGroup(), ke.userEvent(), site, args));
    }

    private static ProbeEvent.Site userSite(String line, int p, int close) {
        int arrow = line.indexOf(" <- 0x", p);
        if (arrow >= 0 && arrow < close) {
            return new ProbeEvent.Site.Return(Long.parseUnsignedLong(line, arrow + 6, close, 16),
                    Long.parseUnsignedLong(line, p + 3, arrow, 16));
        }
        return new ProbeEvent.Site.Entry(Long.parseUnsignedLong(line, p + 3, close, 16));
    }

    /**
     * Where a kprobe's {@code (...)} closes: before {@code " NAME1="} of the first argument, or at the
     * end of the line without arguments. The text inside is symbol text ({@code sym+0x0/0x1a0 [mod]}), which
     * holds no such sequence.
     */
    private static int kernelSiteEnd(String line, int p, List<FetchArg> defs) {
        if (defs.isEmpty()) {
            return line.endsWith(")") ? line.length() - 1 : -1;
        }
        return line.indexOf(") " + defs.getFirst().name() + "=", p);
    }

    /** {@code sym+off/size} for a kprobe; {@code ret+off/size <- func} for a kretprobe. */
    private static ProbeEvent.Site kernelSite(String text, boolean isReturn) {
        if (!isReturn) {
            return new ProbeEvent.Site.KernelEntry(text);
        }
        int arrow = text.indexOf(" <- ");
        return arrow < 0 ? null : new ProbeEvent.Site.KernelReturn(text.substring(arrow + 4), text.substring(0, arrow));
    }

    private static int digits(String s, int p) {
        while (p < s.length() && Character.isDigit(s.charAt(p))) {
            p++;
        }
        return p;
    }

    private static int skipSpaces(String s, int p) {
        while (p < s.length() && s.charAt(p) == ' ') {
            p++;
        }
        return p;
    }
}
