package io.probe4j.engine.kernel;

import io.probe4j.UserException;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a command held at a gate, so its pid can be given to the kernel's pid filter before it runs
 * a single instruction of the program: {@code /bin/sh -c 'read _ <"$0"; exec "$@"' FIFO CMD ARGS} blocks on
 * a FIFO until {@link #release()} writes to it, then execs the program under the same pid. Standard
 * input, output and error are the caller's (the traced program sees what it would see untraced); only
 * the shell's {@code read} takes its input from the FIFO.
 */
final class GatedLaunch {
    private final Process process;
    private final Path fifo;

    private GatedLaunch(Process process, Path fifo) {
        this.process = process;
        this.fifo = fifo;
    }

    static GatedLaunch start(List<String> command) throws IOException {
        checkRunnable(command.getFirst());
        Path dir = Files.createTempDirectory("probe4j-gate");
        Path fifo = dir.resolve("gate");
        try {
            Process mk = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).inheritIO().start();
            if (!mk.waitFor(10, TimeUnit.SECONDS) || mk.exitValue() != 0) {
                throw new IOException("mkfifo " + fifo + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating " + fifo, e);
        }
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "read _ <\"$0\"; exec \"$@\"", fifo.toString()));
        argv.addAll(command);
        return new GatedLaunch(new ProcessBuilder(argv).inheritIO().start(), fifo);
    }

    /** A missing program is the user's mistake: say so like a shell would, before any tracing starts. */
    private static void checkRunnable(String program) {
        if (program.contains("/")) {
            if (!Files.isExecutable(Path.of(program))) {
                throw new UserException("probe4j: cannot run " + program + ": no such executable file", 127);
            }
            return;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program)) && !Files.isDirectory(Path.of(d, program))) {
                return;
            }
        }
        throw new UserException("probe4j: " + program + ": command not found", 127);
    }

    long pid() {
        return process.pid();
    }

    /** Lets the program run. */
    void release() throws IOException {
        try (OutputStream gate = Files.newOutputStream(fifo)) {
            gate.write('\n');
        } finally {
            cleanupFifo();
        }
    }

    /** Kills the gated command without letting it run (the session could not start). */
    void abandon() {
        process.destroyForcibly();
        cleanupFifo();
    }

    /** Waits for the program; its exit status, 128+N when signal N killed it. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    private void cleanupFifo() {
        try {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(fifo.getParent());
        } catch (IOException ignored) {
            // a stale empty FIFO in /tmp is harmless
        }
    }
}
