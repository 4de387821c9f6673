package io.probe4j.engine.trap;

import io.probe4j.sys.Environment;
import io.probe4j.sys.Pidfd;
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
 * reaches it), watches the JVM through a pidfd, ends quietly when the journal is gone (the clean end),
 * and after a restore leaves a {@code .killed} note that the next probe4j run shows the user.
 *
 * <p>What it cannot save: a thread that was stopped at one of our breakpoints when the JVM died (the
 * kernel delivers the pending SIGTRAP as it detaches), one that hits a breakpoint before the restore,
 * and one that returns through a hijacked return address afterwards.
 */
public final class Guardian {
    private static final int POLL_MILLIS = 500;

    private Guardian() {
    }

    /** Starts a guardian for this JVM's {@code journal}; its pid. */
    static int start(Path journal) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx24m", "-Xss512k", "-XX:-UsePerfData"));
        cmd.addAll(mainClass());
        cmd.addAll(List.of(Long.toString(ProcessHandle.current().pid()), journal.toString()));
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

    /** {@code Guardian JVM_PID JOURNAL}. */
    public static void main(String[] args) throws IOException {
        int jvm = Integer.parseInt(args[0]);
        Path journal = Path.of(args[1]);
        try (Pidfd watched = Pidfd.open(jvm)) {
            while (!watched.awaitExit(POLL_MILLIS)) {
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
        Path note = journal.resolveSibling(journal.getFileName().toString().replace(".journal", ".killed"));
        Files.write(note, lines);
        Files.deleteIfExists(journal);
    }
}
