package io.probe4j.cli;

import io.probe4j.engine.inline.InlinePlanner;
import io.probe4j.engine.inline.InlineProbe;
import io.probe4j.engine.inline.InlineEvents;
import io.probe4j.engine.inline.InlineProbes;
import io.probe4j.engine.inline.InlineReader;
import io.probe4j.engine.inline.PatchJournal;
import io.probe4j.engine.inline.RecordStage;
import io.probe4j.engine.inline.RecordingWriter;
import io.probe4j.engine.inline.RingMapping;
import io.probe4j.engine.inline.TscClock;
import io.probe4j.engine.kernel.ResolvedProbe;
import io.probe4j.engine.ptrace.LaunchSpec;
import io.probe4j.engine.ptrace.TraceSession;
import io.probe4j.engine.trap.ProbeConsumer;
import io.probe4j.engine.trap.ProbeHit;
import io.probe4j.engine.trap.ProbePoint;
import io.probe4j.engine.trap.Uprobes;
import io.probe4j.event.EventSink;
import io.probe4j.event.FetchEvaluator;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.StoppedThreadFetch;
import io.probe4j.sys.Reg;
import io.probe4j.spec.ProbeDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code probe4j trace --engine inline}: each probe the inline engine can take is a jump to a
 * trampoline that records into shared rings, read by a thread of this JVM; the others run on the trap
 * engine in the same ptrace session, and probe4j says which and why, one line per probe, before the
 * program starts. Both feed the same filters, triggers and sink, in time order, from the inline engine's
 * decoding thread ({@link InlineReader}); or, with {@code --format binary}, a recording of what comes out
 * of the rings ({@link RecordingWriter}) that {@code probe4j report} prints later. Lost records are
 * reported at the end.
 */
final class InlineTrace {
    private InlineTrace() {
    }

    /**
     * Traces; events go to {@code sink}, or with {@code recording} set, the records go to that file as
     * they come out of the rings ({@code --format binary}: {@code sink} then takes nothing).
     */
    static int run(List<ResolvedProbe> probes, EventSink sink, List<String> command, Integer pid, TraceFilters filters,
            java.nio.file.Path recording) throws InterruptedException {
        Consumer<String> diagnostics = msg -> System.err.println("probe4j: " + msg);
        // filters see one event at a time, from either engine, in time order
        Map<String, Map<String, Predicate<ProbeEvent>>> keep = InlineEvents.keepAll();
        InlinePlanner planner = new InlinePlanner();
        List<InlineProbe> inline = new ArrayList<>();
        Uprobes uprobes = new Uprobes(diagnostics);
        Map<String, ProbePoint> points = new HashMap<>();
        InlineReader[] reader = new InlineReader[1]; // the trap engine's events go through it, in order with the records
        Consumer<ProbeEvent> trapEvents = e -> reader[0].offer(e);
        TscClock.Calibration calibration = TscClock.begin(); // its span passes while the probes are planned
        // files as /proc/PID/maps names them: symbolic links resolved (/lib -> usr/lib), once a file
        Map<java.nio.file.Path, java.nio.file.Path> realPaths = new HashMap<>();
        List<java.nio.file.Path> real = probes.stream().map(p -> realPaths.computeIfAbsent(p.file(), InlineTrace::realPath)).toList();
        io.probe4j.sys.Phase.mark("realpaths");
        List<InlinePlanner.Decision> decisions = new ArrayList<>(planner.planAll(java.util.stream.IntStream.range(0, probes.size())
                .mapToObj(k -> new InlinePlanner.Request(probes.get(k).definition(), real.get(k), probes.get(k).offset(),
                        probes.get(k).refCtrOffset().isPresent())).toList()));
        for (int k = 0; k < probes.size(); k++) {
            ResolvedProbe p = probes.get(k);
            ProbeDefinition d = p.definition();
            keep.computeIfAbsent(d.group(), g -> new HashMap<>()).put(d.event(), filters.keep(p));
            switch (decisions.get(k)) {
                case InlinePlanner.Inline i -> inline.add(i.probe());
                case InlinePlanner.Trap t -> {
                    System.err.println("probe4j: " + d.group() + "/" + d.event() + " runs on the trap engine: " + t.reason());
                    java.nio.file.Path file = real.get(k);
                    ProbePoint point = points.computeIfAbsent(file + ":" + p.offset(), key -> new ProbePoint(file,
                            inode(file), p.offset(), p.refCtrOffset().orElse(-1)));
                    point.addConsumer(new TrapEvents(d, trapEvents));
                }
            }
        }
        io.probe4j.sys.Phase.mark("planned");
        points.values().forEach(pt -> uprobes.add(pt, null));
        int cpus = Runtime.getRuntime().availableProcessors();
        RingMapping rings = RingMapping.create("probe4j-inline", recording != null ? InlineReader.recordingLayout(cpus, Math.max(1, inline.size()))
                : InlineReader.layout(cpus, Math.max(1, inline.size())));
        PatchJournal journal = uprobes::journalPatch;
        InlineProbes hooks = new InlineProbes(uprobes, inline, rings, journal, diagnostics);
        TscClock clock = calibration.clock();
        RecordStage stage;
        if (recording != null) {
            stage = new RecordingWriter(recording, inline.stream().map(InlineProbe::definition).toList(), clock);
        } else {
            stage = InlineEvents.of(inline, clock, keep, sink);
        }
        reader[0] = new InlineReader(rings, inline, hooks, clock, stage);
        if (!points.isEmpty()) {
            reader[0].withTrapEngine();
        }
        reader[0].start();
        io.probe4j.sys.Phase.mark("reader started");
        TraceSession[] session = new TraceSession[1];
        TraceEnding ending = new TraceEnding(() -> {
            try {
                if (session[0] != null) {
                    session[0].close();
                }
            } finally {
                reader[0].finish().forEach(diagnostics);
            }
        }, sink);
        Thread atExit = new Thread(ending, "probe4j-trace-end");
        Runtime.getRuntime().addShutdownHook(atExit);
        try {
            session[0] = pid != null ? TraceSession.attach(pid, hooks)
                    : TraceSession.launch(LaunchSpec.of(command.toArray(String[]::new)), hooks);
            io.probe4j.sys.Phase.mark("session");
            if (pid != null) {
                System.err.println("probe4j: attached to process " + pid + "; Ctrl-C to detach");
            }
            return session[0].waitFor().shellStatus();
        } finally {
            ending.run();
            try {
                Runtime.getRuntime().removeShutdownHook(atExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran: it found the ending done, or did it
            }
        }
    }

    private static long inode(java.nio.file.Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new io.probe4j.error.UserException("cannot probe " + file + ": " + e.getMessage());
        }
    }

    private static java.nio.file.Path realPath(java.nio.file.Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            throw new io.probe4j.error.UserException("cannot probe " + file + ": " + e.getMessage());
        }
    }

    /** A definition on the trap engine, without the public API: its fetch arguments at the hit, the event after the resume. */
    private record TrapEvents(ProbeDefinition d, Consumer<ProbeEvent> out) implements ProbeConsumer {
        @Override
        public boolean isEnabled() {
            return true;
        }

        @Override
        public boolean wantsReturn() {
            return d.isReturn();
        }

        @Override
        public void onEntry(ProbeHit hit) {
            if (!d.isReturn()) {
                emit(hit, new ProbeEvent.Site.Entry(hit.address()));
            }
        }

        @Override
        public void onReturn(ProbeHit hit) {
            emit(hit, new ProbeEvent.Site.Return(hit.address(), hit.returnAddress()));
        }

        private void emit(ProbeHit hit, ProbeEvent.Site site) {
            ProbeEvent e = new ProbeEvent(hit.comm(), hit.pid(), hit.tid(), hit.cpu(), ProbeEvent.UPROBE_FLAGS, hit.timestampNs(),
                    d.group(), d.event(), site, FetchEvaluator.evaluate(d.args(), new StoppedThreadFetch(
                    name -> hit.register(Reg.byName(name).orElseThrow(() -> new IllegalArgumentException("no register named '" + name + "'"))),
                    hit.memory()::read, hit::comm, hit.address() - hit.fileOffset())));
            hit.afterResume(() -> out.accept(e));
        }
    }
}
