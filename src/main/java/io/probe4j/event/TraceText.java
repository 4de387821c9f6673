package io.probe4j.event;

import java.util.List;

/**
 * The ftrace text format, byte for byte as the kernel prints {@code trace} and {@code trace_pipe}
 * lines for uprobe events ({@code trace_output.c}, {@code trace_uprobe.c}, {@code trace_probe.c}):
 * <pre>
 * %16s-%-7d [%03d] %5s %5lu.%06lu: NAME: (0xIP) name=value ...
 * %16s-%-7d [%03d] %5s %5lu.%06lu: NAME: (0xRET &lt;- 0xFUNC) name=value ...
 * %16s-%-7d [%03d] %5s %5lu.%06lu: NAME: (vfs_read+0x0/0x310) name=value ...          (kprobe)
 * %16s-%-7d [%03d] %5s %5lu.%06lu: NAME: (do_syscall_64+0x5d/0xb0 &lt;- ksys_read) ...  (kretprobe)
 * </pre>
 * The only place that knows how a line or a value looks in text.
 */
public final class TraceText {

    /** The header the kernel's {@code trace} file starts with (its short, no-irq-info form). */
    public static final String HEADER = """
            # tracer: nop
            #
            #           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
            #              | |         |   |||||     |         |
            """;

    private TraceText() {
    }

    /** One event as the kernel prints it, without the newline. Bytes, because strings are raw bytes. */
    public static byte[] line(ProbeEvent e) {
        ByteLine out = new ByteLine();
        appendLine(out, e);
        return out.toBytes();
    }

    static void appendLine(ByteLine out, ProbeEvent e) {
        appendContext(out, e);
        appendBody(out, e);
    }

    /** What follows the context: {@code NAME: (site) name=value ...}. */
    private static void appendBody(ByteLine out, ProbeEvent e) {
        out.utf8(e.event()).ascii(": (");
        switch (e.site()) {
            case ProbeEvent.Site.Entry en -> out.hex(en.probeAddress());
            case ProbeEvent.Site.Return r -> out.hex(r.returnAddress()).ascii(" <- ").hex(r.functionAddress());
            case ProbeEvent.Site.KernelEntry k -> out.utf8(k.place());
            case ProbeEvent.Site.KernelReturn k -> out.utf8(k.returnPlace()).ascii(" <- ").utf8(k.function());
        }
        out.ascii(')');
        List<ProbeEvent.Arg> args = e.args();
        for (int i = 0; i < args.size(); i++) { // by index: no iterator per line
            ProbeEvent.Arg a = args.get(i);
            out.ascii(' ').utf8(a.name()).ascii('=');
            appendValue(out, a.value());
        }
    }

    /**
     * The event's stacks on the lines after it, each line preceded by its newline: the kernel's
     * {@code userstacktrace} entry as the kernel prints it (its own context line, then {@code " => "}
     * lines), then probe4j's unwind in the same layout under {@code <ustack>}, a frame a line as
     * {@code function+0xOFF (object)}.
     */
    static void appendStacks(ByteLine out, ProbeEvent e) {
        e.stacks().kernel().ifPresent(lines -> {
            out.ascii('\n');
            appendContext(out, e);
            out.ascii(USER_STACK_HEADER);
            lines.forEach(l -> out.ascii('\n').ascii(" => ").utf8(l));
        });
        e.stacks().shownUnwound().ifPresent(stack -> {
            out.ascii('\n');
            appendContext(out, e);
            out.ascii(USTACK_HEADER);
            stack.frames().forEach(f -> out.ascii('\n').ascii(" => ").utf8(f.toString()));
        });
    }

    /** The kernel's text for its user stack entry. */
    public static final String USER_STACK_HEADER = "<user stack trace>";
    /** The header of probe4j's own unwind ({@code --ustack}). */
    public static final String USTACK_HEADER = "<ustack>";

    /** {@code comm-tid [cpu] flags secs.usecs: }: what every line of the kernel's trace starts with. */
    private static void appendContext(ByteLine out, ProbeEvent e) {
        appendTask(out, e);
        appendTime(out, usecs(e));
    }

    /** {@code comm-tid [cpu] flags }. */
    private static void appendTask(ByteLine out, ProbeEvent e) {
        out.bytesRightAligned(e.comm(), 16).ascii('-').leftAligned(e.tid(), 7).ascii(" [").zeroPadded(e.cpu(), 3)
                .ascii("] ").ascii(e.flags()).ascii(' ');
    }

    /** ns2usecs() rounds to the nearest microsecond before splitting seconds and microseconds. */
    private static long usecs(ProbeEvent e) {
        return (e.timestampNs() + 500) / 1000;
    }

    /** {@code secs.usecs: }. */
    private static void appendTime(ByteLine out, long usecs) {
        out.rightAligned(usecs / 1_000_000, 5).ascii('.').zeroPadded(usecs % 1_000_000, 6).ascii(": ");
    }

    /**
     * Lines one after another, as {@link #appendLine} makes them, remembering the last line's task part
     * ({@code comm-tid [cpu] flags }) and time: a thread's hits come in bursts that share the task, and
     * at a million hits a second many share the microsecond, so that copying those bytes again is
     * cheaper than printing the numbers again. One sink's; not thread-safe.
     */
    static final class Lines {
        private final ByteLine task = new ByteLine();
        private final ByteLine time = new ByteLine();
        private String comm;
        private int tid;
        private int cpu;
        private String flags;
        private long usecs = Long.MIN_VALUE;

        void append(ByteLine out, ProbeEvent e) {
            if (!e.comm().equals(comm) || e.tid() != tid || e.cpu() != cpu || !e.flags().equals(flags)) {
                comm = e.comm();
                tid = e.tid();
                cpu = e.cpu();
                flags = e.flags();
                appendTask(task.reset(), e);
            }
            long us = usecs(e);
            if (us != usecs) {
                usecs = us;
                appendTime(time.reset(), us);
            }
            out.line(task).line(time);
            appendBody(out, e);
        }
    }

    /** A value as the kernel prints it after {@code name=}. */
    public static byte[] value(Value v) {
        ByteLine out = new ByteLine();
        appendValue(out, v);
        return out.toBytes();
    }

    static void appendValue(ByteLine out, Value v) {
        switch (v) {
            case Value.Unsigned u -> out.unsignedDecimal(u.value());
            case Value.Signed s -> out.decimal(s.value());
            case Value.Hex h -> out.hex(h.value());
            case Value.Char c -> out.ascii('\'').ascii((char) (c.value() & 0xff)).ascii('\'');
            case Value.Text t -> out.ascii('"').bytes(t.raw()).ascii('"');
            case Value.Fault f -> out.ascii("(fault)");
            case Value.Bits b -> out.unsignedDecimal(b.value());
            case Value.KernelSymbol k -> out.utf8(k.text());
            case Value.Array a -> {
                out.ascii('{');
                List<Value> el = a.elements();
                for (int i = 0; i < el.size(); i++) {
                    if (i > 0) {
                        out.ascii(',');
                    }
                    appendValue(out, el.get(i));
                }
                out.ascii('}');
            }
        }
    }

    /** {@code 0x%lx}. */
    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
