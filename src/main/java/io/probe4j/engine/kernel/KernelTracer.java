package io.probe4j.engine.kernel;

import java.util.function.BiConsumer;
import io.probe4j.event.ProbeEvent;
import io.probe4j.UserException;
import io.probe4j.event.EventSink;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernel engine: the kernel's own uprobes, driven through tracefs. A session defines its events
 * under a group of its own ({@code probe4j_<pid>}), enables them only in a tracefs instance of its own
 * ({@code instances/probe4j-<pid>}), reads that instance's trace_pipe into {@link io.probe4j.event.ProbeEvent}s
 * for the sink, and removes everything it created when it ends, however it ends (a shutdown hook covers
 * Ctrl-C and SIGTERM).
 *
 * <pre>
 * try (KernelTracer t = KernelTracer.start(probes, sink, System.err)) {
 *     int status = t.run(List.of("/bin/ls", "-l"));   // or t.runSystemWide()
 * }
 * </pre>
 */
public final class KernelTracer implements AutoCloseable {
    private static final AtomicInteger SESSIONS = new AtomicInteger();
    private static final long READER_DRAIN_MILLIS = 5_000;

    private final Tracefs fs;
    private final UprobeEvents uprobeEvents;
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

    private KernelTracer(Tracefs fs, List<ResolvedProbe> probes, EventSink sink, PrintStream diagnostics) {
        this.fs = fs;
        this.uprobeEvents = new UprobeEvents(fs);
        this.sink = sink;
        this.diagnostics = diagnostics;
        long pid = ProcessHandle.current().pid();
        int session = SESSIONS.getAndIncrement();
        this.group = Leftovers.groupName(pid, session);
        this.instanceName = Leftovers.instanceName(pid, session);
        this.endMarker = "probe4j-end-" + pid + "-" + session;
        this.events = kernelEvents(group, probes);
        this.hook = new Thread(this::close, "probe4j-kernel-cleanup");
    }

    /**
     * Creates the session's events and instance (nothing is enabled yet). A definition the kernel
     * refuses throws a {@link UserException} with the kernel's error_log entry, after removing what was
     * created.
     */
    public static KernelTracer start(List<ResolvedProbe> probes, EventSink sink, PrintStream diagnostics) {
        if (probes.isEmpty()) {
            throw new UserException("probe4j: no probe definitions given");
        }
        Tracefs fs = Tracefs.open();
        KernelTracer t = new KernelTracer(fs, probes, sink, diagnostics);
        Leftovers.sweep(fs, t.uprobeEvents, diagnostics);
        Runtime.getRuntime().addShutdownHook(t.hook);
        try {
            for (KernelEvent e : t.events) {
                t.uprobeEvents.define(e);
                t.defined.add(e);
            }
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

    /** The session's events in the kernel, by their kernel name (unique in the session). */
    private static List<KernelEvent> kernelEvents(String group, List<ResolvedProbe> probes) {
        Set<String> used = new HashSet<>();
        List<KernelEvent> out = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            String name = probes.get(i).definition().event();
            if (!used.add(name)) {
                // Same name in two of the user's groups: trace lines carry only the name, so rename.
                name = ("e" + i + "_" + name);
                name = name.substring(0, Math.min(63, name.length()));
                used.add(name);
            }
            out.add(new KernelEvent(group, name, probes.get(i)));
        }
        return out;
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
        GatedLaunch child;
        try {
            child = GatedLaunch.start(command);
        } catch (IOException e) {
            throw new UserException("probe4j: cannot start " + command.getFirst() + ": " + e.getMessage(), 127);
        }
        try {
            if (!allProcesses) {
                instance.followPid(child.pid());
            }
            startReading();
            enableAll();
            child.release();
        } catch (IOException | RuntimeException e) {
            child.abandon();
            throw e instanceof IOException io ? new UserException("probe4j: tracefs: " + io.getMessage(), 1) : (RuntimeException) e;
        }
        try {
            return child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** Traces every process until the JVM is stopped (Ctrl-C, SIGTERM), when the shutdown hook ends the session. */
    public void runSystemWide() throws InterruptedException {
        startReading();
        enableAll();
        readerThread.join();
    }

    private void startReading() {
        Map<String, KernelEvent> byName = new LinkedHashMap<>();
        for (KernelEvent e : events) {
            byName.put(e.kernelName(), e);
        }
        reader = new TracePipeReader(instance.tracePipe(), new TraceLineParser(byName), sink, endMarker, diagnostics, rawLines);
        readerThread = new Thread(reader, "probe4j-trace-pipe");
        readerThread.setDaemon(true);
        readerThread.start();
    }

    private void enableAll() {
        for (KernelEvent e : events) {
            try {
                instance.enable(group, e.kernelName());
            } catch (IOException ex) {
                throw new UserException("probe4j: the kernel will not probe " + e.describe() + ": enabling it failed ("
                        + ex.getMessage() + "): the offset is past the end of the file, or the instruction there cannot be probed", 1);
            }
        }
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
            try {
                instance.remove();
            } catch (IOException e) {
                diagnostics.println("probe4j: cannot remove tracefs instance " + instanceName + ": " + e.getMessage());
            }
        }
        for (KernelEvent e : defined) {
            try {
                uprobeEvents.remove(group, e.kernelName());
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
