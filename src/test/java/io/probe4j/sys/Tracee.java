package io.probe4j.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** trap_spin, seized and stopped by PTRACE_INTERRUPT after it printed "ready" (to /dev/null). */
    static Tracee spin() throws InterruptedException {
        String bin = Fixtures.compile("trap_spin.c", "-pthread").toString();
        int pid = Spawn.spawn(bin, List.of(bin, "1000"), Map.of(), Spawn.Stdio.NULL);
        Tracee t = new Tracee(pid);
        Thread.sleep(30); // let it get going (not required: any stop would do)
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
