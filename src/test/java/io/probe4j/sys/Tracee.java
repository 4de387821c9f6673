package io.probe4j.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Await;
import io.probe4j.testing.Fixtures;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/** A fixture process started and seized by the calling (test) thread, stopped; killed by {@link #close}. */
final class Tracee implements AutoCloseable {
    final int pid;
    final ProcessMemory memory;

    private Tracee(int pid) {
        this.pid = pid;
        this.memory = new ProcessMemory(pid);
    }

    /** trap_spin, seized and stopped by PTRACE_INTERRUPT once both its threads run. */
    static Tracee spin() throws InterruptedException {
        String bin = Fixtures.compile("trap_spin.c", "-pthread").toString();
        int pid = Spawn.spawn(bin, List.of(bin, "1000"), Map.of(), Spawn.Stdio.NULL);
        Tracee t = new Tracee(pid);
        Await.until("trap_spin's second thread", () -> Procfs.tasks(pid).size() == 2);
        Ptrace.seize(pid, EnumSet.noneOf(Ptrace.Option.class));
        Ptrace.interrupt(pid);
        WaitStatus ws = Wait.waitpid(pid);
        assertTrue(ws.stopped() && ws.event() == Ptrace.EVENT_STOP, ws.toString());
        return t;
    }

    @Override
    public void close() {
        memory.close();
        Signals.kill(pid, Signals.SIGKILL);
        WaitStatus ws;
        do {
            ws = Wait.waitpid(pid);
        } while (!ws.dead());
        assertEquals(Signals.SIGKILL, ws.termSig());
    }
}
