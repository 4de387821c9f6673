package io.probe4j.cli;

import io.probe4j.event.EventSink;

/**
 * The one owner of a ptrace engine's trace ending: detach the tracer, then close the sink (which
 * writes the profile table and flushes the file), exactly once, whether the program ended, a
 * signal started the JVM's shutdown, or an exception unwound the command. Whoever comes second
 * waits until the first has finished, so the JVM never exits with half of the output written.
 */
final class TraceEnding implements Runnable {
    private final Runnable detach;
    private final EventSink sink;
    private boolean done;

    TraceEnding(Runnable detach, EventSink sink) {
        this.detach = detach;
        this.sink = sink;
    }

    @Override
    public synchronized void run() {
        if (done) {
            return;
        }
        done = true;
        try {
            detach.run();
        } finally {
            sink.close();
        }
    }
}
