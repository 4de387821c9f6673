package io.probe4j.engine.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Thread ids from /proc: a thread's thread group id, for the rare line whose tgid the kernel did not
 * know; the JVM's own threads, which system-wide tracing leaves out.
 */
final class ProcTgid {
    private ProcTgid() {
    }

    /** The tgid of {@code tid}, or {@code tid} itself when the thread is gone. */
    static int of(int tid) {
        return ofLive(tid).orElse(tid);
    }

    /** The tgid of {@code tid} from /proc, if the thread is alive. */
    static OptionalInt ofLive(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(tid), "status"))) {
                if (line.startsWith("Tgid:")) {
                    return OptionalInt.of(Integer.parseInt(line.substring(5).trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone already
        }
        return OptionalInt.empty();
    }

    /** The thread ids of this process's threads now ({@code /proc/self/task}). */
    static List<Long> threadsOfSelf() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.map(t -> Long.parseLong(t.getFileName().toString())).sorted().toList();
        }
    }
}
