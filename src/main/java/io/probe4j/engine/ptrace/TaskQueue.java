package io.probe4j.engine.ptrace;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/** Work other threads hand to the tracer thread; each submission rings the {@link Doorbell}. */
final class TaskQueue {
    private final TracerLoop loop;
    private final ArrayDeque<FutureTask<?>> queue = new ArrayDeque<>();
    private boolean closed;

    TaskQueue(TracerLoop loop) {
        this.loop = loop;
    }

    /** Queues {@code task} for the tracer thread (runs it at once when called on the tracer thread). */
    <T> Future<T> submit(Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        if (loop.onTracerThread()) {
            f.run();
            return f;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the trace session has ended");
            }
            queue.add(f);
        }
        Doorbell d = loop.doorbell;
        if (d != null) {
            d.ring();
        }
        return f;
    }

    /** Runs everything queued so far (on the tracer thread). */
    void runAll() {
        while (true) {
            FutureTask<?> f;
            synchronized (this) {
                f = queue.poll();
            }
            if (f == null) {
                return;
            }
            f.run();
        }
    }

    /** No more tasks: cancels what is still queued. */
    void close() {
        List<FutureTask<?>> left;
        synchronized (this) {
            closed = true;
            left = List.copyOf(queue);
            queue.clear();
        }
        for (FutureTask<?> f : left) {
            f.cancel(false);
        }
    }
}
