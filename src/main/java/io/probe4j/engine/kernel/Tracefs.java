package io.probe4j.engine.kernel;

import io.probe4j.error.UserException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tracefs mount: finding (and if need be mounting) it, and the two ways its control files are
 * written. {@code uprobe_events} is shared by every user of the machine: it is only ever opened for
 * APPEND (opening it with O_TRUNC would delete everyone's events).
 */
final class Tracefs {
    private static final List<Path> MOUNTS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));

    private final Path root;

    private Tracefs(Path root) {
        this.root = root;
    }

    /** The tracefs root, mounting tracefs at /sys/kernel/tracing when it is not mounted yet. */
    static Tracefs open() {
        for (Path p : MOUNTS) {
            if (Files.exists(p.resolve("uprobe_events"))) {
                return checked(p);
            }
        }
        if (!isRoot()) {
            throw new UserException("probe4j: the kernel engine needs root: tracefs is not mounted and only root can mount it "
                    + "(or run with --engine trap)");
        }
        Path p = MOUNTS.getFirst();
        if (!Files.exists(p.resolve("trace"))) {
            mount(p);
        }
        if (!Files.exists(p.resolve("trace"))) {
            throw new UserException("probe4j: cannot mount tracefs at " + p + " (mount -t tracefs nodev " + p + " failed)");
        }
        if (!Files.exists(p.resolve("uprobe_events"))) {
            throw new UserException("probe4j: this kernel has no uprobe events (" + p.resolve("uprobe_events")
                    + " is missing: CONFIG_UPROBE_EVENTS is off); use --engine trap");
        }
        return checked(p);
    }

    private static Tracefs checked(Path p) {
        if (!Files.isWritable(p.resolve("uprobe_events")) || !isRoot()) {
            throw new UserException("probe4j: the kernel engine needs root (cannot write " + p.resolve("uprobe_events")
                    + "); run as root or use --engine trap");
        }
        return new Tracefs(p);
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static void mount(Path p) {
        try {
            Process m = new ProcessBuilder("mount", "-t", "tracefs", "nodev", p.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            m.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // reported by the caller, which checks the result
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Path root() {
        return root;
    }

    Path path(String relative) {
        return root.resolve(relative);
    }

    /** Appends {@code text} in one write(2) (the kernel parses each write as a unit). */
    void append(String relative, String text) throws IOException {
        writeOnce(path(relative), text, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Writes a control file ({@code enable}, {@code trace_clock}, ...) in one write(2). */
    void write(String relative, String text) throws IOException {
        writeOnce(path(relative), text, StandardOpenOption.WRITE);
    }

    String read(String relative) throws IOException {
        return Files.readString(path(relative), StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads a file that answers only a read at offset 0 (an event's {@code filter}), in one read(2):
     * reading it in pieces would give only the first piece.
     */
    String readOnce(String relative) throws IOException {
        try (FileChannel ch = FileChannel.open(path(relative), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 16);
            ch.read(b);
            return new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1);
        }
    }

    private static void writeOnce(Path p, String text, StandardOpenOption... opts) throws IOException {
        try (FileChannel ch = FileChannel.open(p, opts)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
            int n = ch.write(b);
            if (n != b.capacity()) {
                throw new IOException("short write to " + p + ": " + n + " of " + b.capacity() + " bytes");
            }
        }
    }
}
