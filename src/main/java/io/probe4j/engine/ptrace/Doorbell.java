package io.probe4j.engine.ptrace;

import io.probe4j.sys.Ptrace;
import io.probe4j.sys.Signals;
import io.probe4j.sys.Spawn;
import io.probe4j.sys.SysException;
import io.probe4j.sys.Wait;
import io.probe4j.sys.WaitStatus;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * How another JVM thread wakes the tracer thread out of {@code waitpid}. The tracer thread traces
 * a sleeping helper process; any thread may send it a signal ({@link #ring}), which makes it enter
 * a signal-delivery-stop that the tracer's {@code waitpid} reports. The tracer resumes it with the
 * signal suppressed and runs its queued tasks. ({@code PTRACE_INTERRUPT} cannot do this: like every
 * ptrace request it must come from the tracer thread itself, which is the one blocked.)
 * With {@code PTRACE_O_EXITKILL} the helper dies with the tracer thread.
 */
final class Doorbell implements AutoCloseable {
    private final int pid;
    private boolean alive = true;

    private Doorbell(int pid) {
        this.pid = pid;
    }

    /** Starts the helper; call on the tracer thread. */
    static Doorbell start() {
        int pid = Spawn.spawn("/bin/sleep", List.of("probe4j-doorbell", "infinity"), Map.of("PATH", "/usr/bin:/bin"), Spawn.Stdio.NULL);
        Ptrace.seize(pid, EnumSet.of(Ptrace.Option.EXITKILL));
        return new Doorbell(pid);
    }

    int pid() {
        return pid;
    }

    /** Wakes the tracer thread; any thread may call this. */
    void ring() {
        try {
            Signals.kill(pid, Signals.SIGWINCH);
        } catch (SysException e) {
            // the helper is gone: the session is ending
        }
    }

    /** Handles a wait status of the helper (on the tracer thread). */
    void handle(WaitStatus ws) {
        if (ws.dead()) {
            alive = false;
            return;
        }
        Ptrace.cont(pid, 0);
    }

    boolean alive() {
        return alive;
    }

    @Override
    public void close() {
        if (alive) {
            try {
                Signals.kill(pid, Signals.SIGKILL);
                while (!Wait.waitpid(pid).dead()) {
                    // a last stop before the kill lands
                }
            } catch (SysException e) {
                // already reaped
            }
            alive = false;
        }
    }
}
