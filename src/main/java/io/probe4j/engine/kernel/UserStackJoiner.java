package io.probe4j.engine.kernel;

import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * With the kernel's {@code userstacktrace} option, each event is followed in the ring buffer by an entry of
 * its own: a context line {@code <user stack trace>} and {@code " => "} lines. This puts the two together
 * again before the event goes to the sink. The entries of one CPU come in order, but {@code trace_pipe}
 * merges the CPUs by time, so another thread's event can come between an event and its stack: events
 * wait in arrival order, and a stack goes to the oldest waiting event of its thread. An entry is
 * printed whole within one read of {@code trace_pipe}, so after each read the events at the head that
 * have their stack leave; one that lost its stack (a full buffer) leaves when {@link #MAX_WAITING}
 * events wait behind it, or at the end.
 */
final class UserStackJoiner {
    static final int MAX_WAITING = 1024;

    private final EventSink sink;
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    private Waiting collecting;

    private static final class Waiting {
        ProbeEvent event;
        List<String> lines;

        Waiting(ProbeEvent event) {
            this.event = event;
        }
    }

    UserStackJoiner(EventSink sink) {
        this.sink = sink;
    }

    void event(ProbeEvent e) {
        collecting = null;
        waiting.addLast(new Waiting(e));
        if (waiting.size() > MAX_WAITING) {
            emit(waiting.removeFirst());
        }
    }

    /** The context line of thread {@code tid}'s stack entry. */
    void header(int tid) {
        collecting = null;
        for (Waiting w : waiting) {
            if (w.event.tid() == tid && w.lines == null) {
                w.lines = new ArrayList<>();
                collecting = w;
                return;
            }
        }
    }

    void line(String text) {
        if (collecting != null) {
            collecting.lines.add(text);
        }
    }

    /** A read of trace_pipe ended: the events at the head whose stacks are complete go out. */
    void endOfRead() {
        collecting = null;
        while (!waiting.isEmpty() && waiting.peekFirst().lines != null) {
            emit(waiting.removeFirst());
        }
    }

    /** The end of the session's stream: everything goes out, with or without its stack. */
    void flushAll() {
        collecting = null;
        while (!waiting.isEmpty()) {
            emit(waiting.removeFirst());
        }
    }

    private void emit(Waiting w) {
        sink.accept(w.lines == null ? w.event : w.event.withStacks(w.event.stacks().withKernel(w.lines)));
    }
}
