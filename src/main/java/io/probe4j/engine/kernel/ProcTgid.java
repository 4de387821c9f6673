package io.probe4j.engine.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A thread's thread group id from /proc, for the rare line whose tgid the kernel did not know. */
final class ProcTgid {
    private ProcTgid() {
    }

    /** The tgid of {@code tid}, or {@code tid} itself when the thread is gone. */
    static int of(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(tid), "status"))) {
                if (line.startsWith("Tgid:")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone already: a main thread's tid is its pid, the best guess left
        }
        return tid;
    }
}
