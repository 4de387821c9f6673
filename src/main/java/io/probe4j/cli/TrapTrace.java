package io.probe4j.cli;

import io.probe4j.EventProbes;
import io.probe4j.Launch;
import io.probe4j.Tracer;
import io.probe4j.engine.kernel.ResolvedProbe;
import io.probe4j.event.EventSink;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code probe4j trace} on the trap engine: every definition becomes a probe of the public API, the
 * command runs (or process {@code -p PID} is attached) until it ends, and whatever ends the session
 * (Ctrl-C, SIGTERM) detaches cleanly and still writes out every event, once ({@link TraceEnding}).
 */
final class TrapTrace {
    private static final long FLUSH_MILLIS = 100;

    private TrapTrace() {
    }

    static int run(List<ResolvedProbe> probes, EventSink sink, List<String> command, Integer pid, TraceFilters filters,
                   StackOptions stacks) throws InterruptedException {
        Tracer tracer = pid != null ? Tracer.attach(pid) : Tracer.launch(Launch.of(command));
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "probe4j-flush");
            t.setDaemon(true);
            return t;
        });
        TraceEnding ending = new TraceEnding(tracer::close, sink);
        Thread atExit = new Thread(ending, "probe4j-trace-end");
        Runtime.getRuntime().addShutdownHook(atExit);
        try {
            for (ResolvedProbe p : probes) {
                tracer.register(EventProbes.info(p.definition(), p.file(), p.offset(), sink, filters.keep(p), stacks::capture));
            }
            flusher.scheduleWithFixedDelay(sink::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
            tracer.start();
            if (pid != null) {
                System.err.println("probe4j: attached to process " + pid + "; Ctrl-C to detach");
            }
            return tracer.waitFor();
        } finally {
            flusher.shutdownNow();
            ending.run();
            try {
                Runtime.getRuntime().removeShutdownHook(atExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran: it found the ending done, or did it
            }
        }
    }
}
