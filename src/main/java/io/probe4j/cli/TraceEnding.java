package io.probe4j.cli;

import io.probe4j.Tracer;
import io.probe4j.event.EventSink;

/**
 * The one owner of a trap-engine trace's ending: detach the tracer, then close the sink (which
 * writes the profile table and flushes the file), exactly once, whether the program ended, a
 * signal started the JVM's shutdown, or an exception unwound the command. Whoever comes second
 * waits until the first has finished, so the JVM never exits with half of the output written.
 */
final class TraceEnding implements Runnable {
    private final Tracer tracer;
    private final EventSink sink;
    private boolean done;

    TraceEnding(Tracer tracer, EventSink sink) {
        this.tracer = tracer;
        this.sink = sink;
    }

    @Override
    public synchronized void run() {
        if (done) {
            return;
        }
        done = true;
        try {
            tracer.close();
        } finally {
            sink.close();
        }
    }
}
