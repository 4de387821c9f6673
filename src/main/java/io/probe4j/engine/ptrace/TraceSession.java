package io.probe4j.engine.ptrace;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A ptrace session over one launched or attached process and everything it forks. One tracer
 * thread ({@code probe4j-tracer}) does all the tracing; other threads talk to it through
 * {@link #call} and {@link #withStopped}. The traced program behaves as without tracing: signals,
 * stops and continues, exit statuses. However the session ends (the program's end, {@link #close},
 * an exception in a hook, the JVM being asked to stop with Ctrl-C or SIGTERM) every process still
 * traced is detached cleanly and goes on running.
 */
public final class TraceSession implements AutoCloseable {
    private static final Duration SHUTDOWN_DETACH_WAIT = Duration.ofSeconds(5);

    private final TracerLoop loop;
    private final int pid;
    private final Thread shutdownHook;

    private TraceSession(TracerLoop loop) {
        this.loop = loop;
        this.shutdownHook = Thread.ofPlatform().name("probe4j-detach").unstarted(this::detachAtShutdown);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        loop.startThread();
        try {
            this.pid = loop.ready.get();
        } catch (ExecutionException e) {
            removeShutdownHook();
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the trace session", e);
        }
    }

    /**
     * Starts {@code spec} under tracing and returns once it has exec'ed the program: the hooks'
     * {@link TraceHooks#onNewProcess} ({@link Origin#LAUNCHED}) has run and no instruction of the
     * program has.
     */
    public static TraceSession launch(LaunchSpec spec, TraceHooks hooks) {
        spec.program(); // a missing program is the user's mistake: say so here, on the caller's thread
        return new TraceSession(TracerLoop.launching(spec, hooks));
    }

    /** Attaches to every thread of running process {@code pid}. */
    public static TraceSession attach(int pid, TraceHooks hooks) {
        return new TraceSession(TracerLoop.attaching(pid, hooks));
    }

    /** The launched or attached process. */
    public int pid() {
        return pid;
    }

    /** Waits until every traced process has ended or been detached. */
    public SessionEnd waitFor() throws InterruptedException {
        try {
            SessionEnd end = loop.end.get();
            removeShutdownHook();
            return end;
        } catch (ExecutionException e) {
            removeShutdownHook();
            throw unwrap(e.getCause());
        }
    }

    /** As {@link #waitFor()}, giving up after {@code timeout} (empty then). */
    public java.util.Optional<SessionEnd> waitFor(Duration timeout) throws InterruptedException {
        try {
            return java.util.Optional.of(loop.end.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return java.util.Optional.empty();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    /** Runs {@code task} on the tracer thread and returns its result. */
    public <T> T call(Callable<T> task) {
        return get(loop.tasks.submit(task));
    }

    /** Runs {@code body} on the tracer thread with every thread of traced process {@code pid} stopped. */
    public <T> T withStopped(int pid, Function<StoppedProcess, T> body) {
        return call(() -> loop.withStopped(pid, body));
    }

    /** The processes traced now. */
    public List<Integer> processes() {
        return call(loop::pids);
    }

    /** Lets go of every traced process (they go on running, untraced) and ends the session. */
    public SessionEnd detach() {
        if (!loop.end.isDone()) {
            try {
                call(() -> {
                    loop.detachAll();
                    return null;
                });
            } catch (IllegalStateException e) {
                // ended meanwhile
            }
        }
        try {
            return waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while detaching", e);
        }
    }

    /**
     * Detaches if the session is still running. Does not rethrow a failure that ended the session
     * ({@link #waitFor()} does), so that it can close a session in a finally block or try-with-resources.
     */
    @Override
    public void close() {
        if (loop.end.isDone()) {
            removeShutdownHook();
            return;
        }
        detach();
    }

    private void detachAtShutdown() {
        if (loop.end.isDone()) {
            return;
        }
        try {
            Future<Object> f = loop.tasks.submit(() -> {
                loop.detachAll();
                return null;
            });
            f.get(SHUTDOWN_DETACH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (!endsSoon()) { // else the session ended meanwhile: nothing was left to detach
                System.err.println("probe4j: could not detach cleanly at exit: " + e);
            }
        }
    }

    /** Whether the tracer loop ends within a second (it may be past its task queue already). */
    private boolean endsSoon() {
        try {
            loop.end.get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            // not within the second, or it failed: see isDone
        }
        return loop.end.isDone();
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the tracer thread", e);
        }
    }

    private static RuntimeException unwrap(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
