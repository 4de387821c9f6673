package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.LaunchSpec;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.TraceSession;
import io.probe4j.sys.Spawn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs a command untraced (the oracle) and traced, capturing standard output and the shell status. */
final class Runs {
    record Result(String stdout, int status) {
    }

    private Runs() {
    }

    /**
     * Standard output goes through a FIFO of our own, read to its end: the JDK closes its own pipe
     * when the process exits, which would lose what a child that outlives it prints later.
     */
    static Result untraced(List<String> command) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("trap_untraced");
        Path fifo = dir.resolve("stdout");
        try {
            if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() != 0) {
                throw new IOException("mkfifo " + fifo + " failed");
            }
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.readAllBytes(fifo); // until every writer, children included, has closed it
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Process p = new ProcessBuilder(command).redirectOutput(fifo.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int status = p.waitFor(); // the JDK reports a death by signal N as 128+N, like a shell
            return new Result(new String(out.join()), status);
        } finally {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
        }
    }

    static Result traced(List<String> command, TraceHooks hooks) throws IOException, InterruptedException {
        Path out = Files.createTempFile("trap_out", ".txt");
        try {
            LaunchSpec spec = new LaunchSpec(new ArrayList<>(command), System.getenv(),
                    new Spawn.Stdio("/dev/null", out.toString(), "/dev/null"));
            try (TraceSession s = TraceSession.launch(spec, hooks)) {
                int status = s.waitFor().shellStatus();
                return new Result(Files.readString(out), status);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
