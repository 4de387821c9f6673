package io.probe4j.engine.trap;

import io.probe4j.sys.Environment;
import io.probe4j.sys.Errno;
import io.probe4j.sys.LocalMemory;
import io.probe4j.sys.Pidfd;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.Spawn;
import io.probe4j.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small process that outlives a probe4j JVM killed with SIGKILL and takes its breakpoints out of the
 * programs it traced, from the {@link BreakpointJournal}. It runs in a session of its own (no Ctrl-C
 * reaches it), watches the JVM's tracer thread and the JVM itself through pidfds, ends quietly when the
 * journal is gone (the clean end), and after a restore leaves a {@code .killed} note that the next
 * probe4j run shows the user.
 *
 * <p>Why the thread: the kernel lets the traced processes go when their tracer thread exits, and from then
 * on any hit of a breakpoint kills the program. A JVM killed with SIGKILL reaches that point within a
 * millisecond or so, but its process ends only when its whole address space is torn down, 15–50 ms
 * later here. Watching the thread, and having rehearsed the restore, shrinks the window to a few
 * milliseconds.
 *
 * <p>What it cannot save: a thread that was stopped at one of our breakpoints when the JVM died (the
 * kernel delivers the pending SIGTRAP as it detaches), one that hits a breakpoint before the restore,
 * and one that returns through a hijacked return address afterwards.
 */
public final class Guardian {
    private static final int POLL_MILLIS = 500;
    private static final int PAGE = 4096;

    private Guardian() {
    }

    /**
     * Starts a guardian for this JVM's {@code journal}, whose processes the thread {@code tracerTid} traces
     * (0: not known, the guardian then watches the JVM only); the guardian's pid.
     */
    static int start(Path journal, int tracerTid) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx24m", "-Xss512k", "-XX:-UsePerfData"));
        cmd.addAll(mainClass());
        cmd.addAll(List.of(Long.toString(ProcessHandle.current().pid()), Integer.toString(tracerTid), journal.toString()));
        return Spawn.spawnDetached(cmd.getFirst(), cmd, Environment.inherited(), Spawn.Stdio.NULL);
    }

    /** This class as the guardian's main class, found where this JVM found it: the module path or the class path. */
    private static List<String> mainClass() {
        Module module = Guardian.class.getModule();
        if (module.isNamed()) {
            return List.of("--enable-native-access=" + module.getName(), "--module-path", System.getProperty("jdk.module.path"),
                    "--module", module.getName() + "/" + Guardian.class.getName());
        }
        return List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Guardian.class.getName());
    }

    /** {@code Guardian JVM_PID TRACER_TID JOURNAL}. */
    public static void main(String[] args) throws IOException {
        int jvm = Integer.parseInt(args[0]);
        int tracer = Integer.parseInt(args[1]);
        Path journal = Path.of(args[2]);
        rehearse();
        try (Pidfd process = Pidfd.open(jvm); Pidfd thread = tracer > 0 ? threadOrNull(tracer) : null) {
            Pidfd[] watched = thread == null ? new Pidfd[] {process} : new Pidfd[] {thread, process};
            while (Pidfd.awaitFirst(POLL_MILLIS, watched) < 0) {
                if (!Files.exists(journal)) {
                    return; // the clean end
                }
            }
        } catch (SysException ended) {
            // already gone: restore at once
        }
        if (!Files.exists(journal)) {
            return;
        }
        List<String> lines = JournalRestore.restore(journal).describe();
        writeNote(journal, lines);
    }

    /** The tracer thread's pidfd; null where the kernel has no thread pidfds (before 6.9): the JVM's then. */
    private static Pidfd threadOrNull(int tid) {
        try {
            return Pidfd.openThread(tid);
        } catch (SysException e) {
            if (e.errno() == Errno.ESRCH) {
                throw e; // the thread has ended already: restore at once
            }
            return null;
        }
    }

    private static void writeNote(Path journal, List<String> lines) throws IOException {
        Path note = journal.resolveSibling(journal.getFileName().toString().replace(".journal", ".killed"));
        Files.write(note, lines);
        Files.deleteIfExists(journal);
    }

    /**
     * The restore path once, on a breakpoint of our own in this JVM's memory, before the watch begins.
     * Run cold after the JVM's death, class loading and the linking of its native calls took about 50
     * ms here, and every hit of a probed program in that window kills it with SIGTRAP; rehearsed, the
     * restore follows the death in a few milliseconds.
     */
    private static void rehearse() throws IOException {
        int self = (int) ProcessHandle.current().pid();
        long start = Procfs.startTime(self);
        long page = LocalMemory.mapAnonymous(PAGE, LocalMemory.PROT_READ | LocalMemory.PROT_WRITE);
        try {
            try (ProcessMemory memory = new ProcessMemory(self)) {
                memory.writeForced(page, new byte[] {(byte) 0xcc});
            }
            // the journal's lines in memory: a guardian ended mid-rehearsal (its JVM's clean end stops it)
            // leaves no file behind
            List<String> lines = JournalRestore.restore(List.of(BreakpointJournal.header(self, start),
                    BreakpointJournal.insertion(self, start, page, (byte) 0x90))).describe();
            if (lines.size() != 1) {
                throw new IllegalStateException("the guardian's rehearsal restored " + lines);
            }
        } finally {
            LocalMemory.unmap(page, PAGE);
        }
    }
}
