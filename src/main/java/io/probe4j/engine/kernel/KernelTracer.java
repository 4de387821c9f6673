package io.probe4j.engine.kernel;

import io.probe4j.error.UserException;
import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import io.probe4j.spec.FetchArg;
import io.probe4j.spec.KprobeDefinition;
import io.probe4j.spec.KprobeSupport;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * The kernel engine: the kernel's own uprobes and kprobes, driven through tracefs. A session defines its events
 * under a group of its own ({@code probe4j_<pid>}), enables them only in a tracefs instance of its own
 * ({@code instances/probe4j-<pid>}), reads that instance's trace_pipe into {@link io.probe4j.event.ProbeEvent}s
 * for the sink, and removes everything it created when it ends, however it ends (a shutdown hook covers
 * Ctrl-C and SIGTERM).
 *
 * <p>Kernel functions (kprobes, {@code kprobe_events}) are traced the same way; their definitions come
 * from {@link Kprobes#parse}, which also says clearly when the kernel has no kprobe events.
 *
 * <pre>
 * try (KernelTracer t = KernelTracer.start(probes, kprobes, sink, System.err)) {
 *     int status = t.run(List.of("/bin/ls", "-l"));   // or t.runSystemWide()
 * }
 * </pre>
 */
public final class KernelTracer implements AutoCloseable {
    private static final AtomicInteger SESSIONS = new AtomicInteger();
    private static final long READER_DRAIN_MILLIS = 5_000;

    private final Tracefs fs;
    private final EventsFile uprobeEvents;
    private final EventsFile kprobeEvents;
    private final EventSink sink;
    private final PrintStream diagnostics;
    private final String group;
    private final String instanceName;
    private final String endMarker;
    private final List<KernelEvent> defined = new ArrayList<>();
    private final List<KernelEvent> events;
    private final Thread hook;
    private TraceInstance instance;
    private TracePipeReader reader;
    private Thread readerThread;
    private boolean closed;
    private long lost;
    private BiConsumer<String, ProbeEvent> rawLines;
    private final List<String> traceOptions = new ArrayList<>();

    private KernelTracer(Tracefs fs, List<ResolvedProbe> probes, List<KprobeDefinition> kprobes, EventSink sink,
                         PrintStream diagnostics) {
        this.fs = fs;
        this.uprobeEvents = EventsFile.uprobes(fs);
        this.kprobeEvents = EventsFile.kprobes(fs);
        this.sink = sink;
        this.diagnostics = diagnostics;
        long pid = ProcessHandle.current().pid();
        int session = SESSIONS.getAndIncrement();
        this.group = Leftovers.groupName(pid, session);
        this.instanceName = Leftovers.instanceName(pid, session);
        this.endMarker = "probe4j-end-" + pid + "-" + session;
        this.events = kernelEvents(group, probes, kprobes);
        this.hook = new Thread(this::close, "probe4j-kernel-cleanup");
    }

    /**
     * Creates the session's events and instance (nothing is enabled yet). A definition the kernel
     * refuses throws a {@link UserException} with the kernel's error_log entry, after removing what was
     * created.
     */
    public static KernelTracer start(List<ResolvedProbe> probes, EventSink sink, PrintStream diagnostics) {
        return start(probes, List.of(), sink, diagnostics);
    }

    /**
     * As {@link #start(List, EventSink, PrintStream)}, with kernel-function probes too (definitions from
     * {@link Kprobes#parse}). Kprobes on a kernel without kprobe events fail with a {@link UserException}
     * naming the missing kernel option, before anything is created.
     */
    public static KernelTracer start(List<ResolvedProbe> probes, List<KprobeDefinition> kprobes, EventSink sink,
                                     PrintStream diagnostics) {
        if (probes.isEmpty() && kprobes.isEmpty()) {
            throw new UserException("probe4j: no probe definitions given");
        }
        if (!kprobes.isEmpty()) {
            Kprobes.requireSupport();
        }
        Tracefs fs = Tracefs.open();
        KernelTracer t = new KernelTracer(fs, probes, kprobes, sink, diagnostics);
        Leftovers.sweep(fs, t.kprobeEvents.exists() ? List.of(t.uprobeEvents, t.kprobeEvents) : List.of(t.uprobeEvents),
                diagnostics);
        Runtime.getRuntime().addShutdownHook(t.hook);
        try {
            t.uprobeEvents.defineAll(t.events.stream().filter(e -> !e.isKprobe()).toList(), t.defined::add);
            t.kprobeEvents.defineAll(t.events.stream().filter(KernelEvent::isKprobe).toList(), t.defined::add);
            t.instance = TraceInstance.create(fs, t.instanceName);
        } catch (IOException e) {
            t.close();
            throw new UserException("probe4j: cannot set up tracefs instance " + t.instanceName + ": " + e.getMessage(), 1);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /**
     * The session's events in the kernel, by their kernel name (unique in the session): uprobes, then kprobes.
     * Up to {@value #OWN_EVENTS_UP_TO} uprobe definitions get an event each, named as the user named it, so
     * that tracefs shows what the user defined. Beyond that, uprobe definitions with the same argument names
     * and types share one event ({@code shared0}, ...): the kernel disables an event's probes with one
     * synchronisation, about 50 ms, so ending a session of thousands of probes takes a fraction of a second
     * instead of minutes.
     */
    private static List<KernelEvent> kernelEvents(String group, List<ResolvedProbe> probes, List<KprobeDefinition> kprobes) {
        boolean share = probes.size() > OWN_EVENTS_UP_TO;
        List<KernelEvent.Probe> all = new ArrayList<>();
        Map<String, List<ResolvedProbe>> shared = new LinkedHashMap<>();
        for (ResolvedProbe p : probes) {
            if (share && KernelEvent.canShare(p.definition().args())) {
                shared.computeIfAbsent(signature(p), k -> new ArrayList<>()).add(p);
            } else {
                all.add(new KernelEvent.Probe.Uprobe(p));
            }
        }
        kprobes.forEach(k -> all.add(new KernelEvent.Probe.Kprobe(k)));
        Set<String> used = new HashSet<>();
        List<KernelEvent> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            KernelEvent e = new KernelEvent(group, "", all.get(i));
            String name = e.userEvent();
            if (!used.add(name)) {
                // Same name in two of the user's groups: trace lines carry only the name, so rename.
                name = ("e" + i + "_" + name);
                name = name.substring(0, Math.min(63, name.length()));
                used.add(name);
            }
            out.add(new KernelEvent(group, name, all.get(i)));
        }
        int n = 0;
        for (List<ResolvedProbe> members : shared.values()) {
            String name;
            do {
                name = "shared" + n++;
            } while (!used.add(name));
            for (int m = 0; m < members.size(); m++) {
                out.add(new KernelEvent(group, name, new KernelEvent.Probe.Uprobe(members.get(m)), m));
            }
        }
        return out;
    }

    /** Definitions beyond which uprobes share kernel events (see {@link #kernelEvents}). */
    static final int OWN_EVENTS_UP_TO = 64;

    /** What the kernel compares before it adds a probe to an event: the kind, and each argument's name and type. */
    private static String signature(ResolvedProbe p) {
        StringBuilder b = new StringBuilder(p.definition().isReturn() ? "r" : "p");
        for (FetchArg a : p.definition().args()) {
            b.append(' ').append(a.name()).append(':').append(a.type());
        }
        return b.toString();
    }

    private EventsFile file(KernelEvent e) {
        return e.isKprobe() ? kprobeEvents : uprobeEvents;
    }

    /** The group the session's events live in ({@code probe4j_<pid>}). */
    public String group() {
        return group;
    }

    /** The session's tracefs instance name ({@code probe4j-<pid>}). */
    public String instanceName() {
        return instanceName;
    }

    /**
     * Sets the kernel's event filter ({@code events/GROUP/EVENT/filter} of the session's instance) of the
     * event the user named {@code userGroup/userEvent}, before {@link #run}: the kernel then records only
     * the hits the filter accepts. A filter the kernel refuses is a {@link UserException} with its message.
     */
    public void filter(String userGroup, String userEvent, String filter) {
        boolean found = false;
        for (KernelEvent e : events) {
            // every kernel event the user's event became (one per place of a USDT probe)
            if (e.userGroup().equals(userGroup) && e.userEvent().equals(userEvent)) {
                try {
                    instance.filter(group, e.kernelName(), filter);
                } catch (IOException ex) {
                    throw new UserException("probe4j: the kernel refuses the filter of " + userEvent + ":\n" + ex.getMessage(), 2);
                }
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no event " + userGroup + "/" + userEvent + " in this session");
        }
    }

    /** The kernel's trace option that records each event's user stack after it. */
    public static final String USER_STACK_TRACE = "userstacktrace";

    /**
     * Sets the kernel's trace options ({@code userstacktrace}, {@code sym-userobj}, ...) in the session's
     * instance, before {@link #run}; they go with the instance when the session ends.
     */
    public void traceOptions(List<String> names) {
        for (String name : names) {
            try {
                instance.option(name);
            } catch (IOException e) {
                throw new UserException("probe4j: the kernel has no trace option " + name + " (" + e.getMessage() + ")", 2);
            }
            traceOptions.add(name);
        }
    }

    /**
     * Runs {@code command} and traces it and the processes it starts (only them), until it exits.
     * Returns its exit status (128+N for signal N).
     */
    public int run(List<String> command) {
        return run(command, false);
    }

    /**
     * As {@link #run(List)}; with {@code allProcesses} every process's hits are traced while the command
     * runs.
     */
    public int run(List<String> command, boolean allProcesses) {
        GatedLaunch child = GatedLaunch.start(command);
        try {
            if (!allProcesses) {
                instance.followPid(child.pid());
            }
            startReading();
            if (allProcesses) {
                ignoreOwnThreads();
            }
            enableAll();
            child.release();
        } catch (IOException | RuntimeException e) {
            child.abandon();
            throw e instanceof IOException io ? new UserException("probe4j: tracefs: " + io.getMessage(), 1) : (RuntimeException) e;
        }
        return child.waitFor();
    }

    /**
     * Traces every process until the JVM is stopped (Ctrl-C, SIGTERM), when the shutdown hook ends the session.
     * Says so on the diagnostics stream once every probe is in place.
     */
    public void runSystemWide() throws InterruptedException {
        startReading();
        ignoreOwnThreads();
        enableAll();
        diagnostics.println("probe4j: tracing every process; Ctrl-C to stop");
        readerThread.join();
    }

    private void startReading() {
        reader = new TracePipeReader(instance.tracePipe(), new TraceLineParser(events), sink, endMarker, diagnostics, rawLines,
                traceOptions.contains(USER_STACK_TRACE));
        readerThread = new Thread(reader, "probe4j-trace-pipe");
        readerThread.setDaemon(true);
        readerThread.start();
    }

    /**
     * System-wide, probe4j's own threads are not traced: reading trace_pipe and writing the output are
     * themselves {@code vfs_read}/{@code vfs_write} calls (and libc {@code read}/{@code write}), so a probe
     * on one of them would feed on its own output without end.
     */
    private void ignoreOwnThreads() {
        try {
            instance.ignoreTasks(ProcTgid.threadsOfSelf());
        } catch (IOException e) {
            diagnostics.println("probe4j: warning: cannot exclude probe4j's own threads (set_event_notrace_pid): " + e.getMessage());
        }
    }

    private void enableAll() {
        for (List<KernelEvent> members : byKernelName(events).values()) {
            KernelEvent e = members.getFirst();
            try {
                instance.enable(group, e.kernelName());
            } catch (IOException ex) {
                String what = members.size() == 1 ? e.describe() : "one of the " + members.size() + " places of "
                        + members.stream().limit(3).map(KernelEvent::describe).collect(Collectors.joining(", ")) + ", ...";
                throw new UserException("probe4j: the kernel will not probe " + what + ": enabling it failed ("
                        + ex.getMessage() + ")" + (e.isKprobe() ? ""
                        : ": the offset is past the end of the file, or the instruction there cannot be probed"), 1);
            }
        }
    }

    /** The events by kernel name, in definition order (a shared event's members together). */
    private static Map<String, List<KernelEvent>> byKernelName(List<KernelEvent> events) {
        Map<String, List<KernelEvent>> out = new LinkedHashMap<>();
        for (KernelEvent e : events) {
            out.computeIfAbsent(e.kernelName(), n -> new ArrayList<>()).add(e);
        }
        return out;
    }

    /**
     * Ends the session: reads what is left in the buffer (up to the end marker), warns about lost
     * events, then removes the instance and the events. Idempotent; also run by the shutdown hook.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (Thread.currentThread() != hook) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it finds the session closed
        }
        if (instance != null) {
            drainReader();
            try {
                lost = instance.lostEvents();
            } catch (IOException e) {
                diagnostics.println("probe4j: cannot read the lost-event counters: " + e.getMessage());
            }
            if (reader != null) {
                lost = Math.max(lost, reader.lostInStream());
            }
            reportMissed();
            try {
                instance.remove();
            } catch (IOException e) {
                diagnostics.println("probe4j: cannot remove tracefs instance " + instanceName + ": " + e.getMessage());
            }
        }
        for (List<KernelEvent> members : byKernelName(defined).values()) {
            KernelEvent e = members.getFirst(); // removing an event removes all its probes
            try {
                file(e).remove(group, e.kernelName());
            } catch (IOException ex) {
                diagnostics.println("probe4j: cannot remove event " + group + "/" + e.kernelName() + ": " + ex.getMessage());
            }
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            diagnostics.println("probe4j: writing the output failed: " + e.getMessage());
        }
        if (lost > 0) {
            diagnostics.println("probe4j: warning: the kernel lost " + lost
                    + " events (ring buffer overrun or dropped): the reader did not keep up");
        }
    }

    /** The kernel's missed-hit counts of the session's kprobes ({@code kprobe_profile}), to the sink. */
    private void reportMissed() {
        if (events.stream().noneMatch(KernelEvent::isKprobe)) {
            return;
        }
        try {
            var missed = KprobeProfile.missed(fs);
            for (KernelEvent e : defined) {
                Long n = missed.get(group + "/" + e.kernelName());
                if (e.isKprobe() && n != null) {
                    sink.missed(e.userGroup(), e.userEvent(), n);
                }
            }
        } catch (IOException e) {
            diagnostics.println("probe4j: cannot read kprobe_profile: " + e.getMessage());
        }
    }

    private void drainReader() {
        if (readerThread == null) {
            return;
        }
        try {
            instance.mark(endMarker);
            readerThread.join(READER_DRAIN_MILLIS);
        } catch (IOException e) {
            diagnostics.println("probe4j: cannot write the end marker: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (readerThread.isAlive()) {
            diagnostics.println("probe4j: warning: trace_pipe did not drain in time; some events may be missing");
        }
    }

    /** For tests: sees each raw trace_pipe line with the event parsed from it (set before running). */
    void onRawLine(BiConsumer<String, ProbeEvent> listener) {
        this.rawLines = listener;
    }

    /** Events the kernel lost (overrun, dropped), known once the session is closed. */
    public synchronized long lostEvents() {
        return lost;
    }

    /** Events read and handed to the sink so far. */
    public long eventsRead() {
        return reader == null ? 0 : reader.events();
    }
}
