package io.probe4j.engine.trap;

import io.probe4j.sys.Procfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A write-ahead record of the breakpoints this JVM has put into other processes, so that they can be
 * taken out when the JVM dies without its shutdown (SIGKILL, the OOM killer): the kernel then detaches
 * every tracee, and an {@code int3} left in a running program kills it with SIGTRAP at its next hit.
 * A {@link Guardian} process restores the original bytes from this file at once, and a later probe4j
 * run tells the user what happened ({@link JournalRestore#reportLeftovers}).
 *
 * <p>One text file per JVM, {@code <pid>-<start>.journal}, in {@link #directory()}; lines are appended
 * and written out (no fsync: the journal must survive the JVM, not the machine) before the breakpoint
 * they describe is written:
 * <pre>
 * probe4j-journal 1 JVM_PID JVM_START
 * + PID PID_START ADDR ORIGINAL_BYTE      (hex; written before the int3)
 * * PID PID_START ADDR ORIGINAL PATCH      (hex bytes; written before another engine's patch, the inline engine's jump)
 * - PID ADDR                              (after the original byte or bytes are back)
 * x PID                                   (the process exec'ed, ended or was let go)
 * s PID PID_START COUNTER                 (before a USDT semaphore at COUNTER is incremented)
 * u PID COUNTER                           (after it is decremented again, or forgotten)
 * </pre>
 * A clean end deletes the file.
 */
public final class BreakpointJournal implements AutoCloseable {
    static final String HEADER = "probe4j-journal 1";
    private final Path file;
    private final FileChannel out;
    private boolean closed;

    private BreakpointJournal(Path file, FileChannel out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Where journals live: {@code /run/probe4j} for root, else under the user's runtime or temporary
     * directory; {@code -Dprobe4j.journal.dir=DIR} elsewhere (a test that must not meet the journals of
     * other probe4j runs, which restore and delete those of dead JVMs as they start).
     */
    public static Path directory() {
        String dir = System.getProperty("probe4j.journal.dir");
        if (dir != null) {
            return Path.of(dir);
        }
        if (Files.isWritable(Path.of("/run")) && "root".equals(System.getProperty("user.name"))) {
            return Path.of("/run/probe4j");
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        return runtime != null && Files.isDirectory(Path.of(runtime)) ? Path.of(runtime, "probe4j")
                : Path.of(System.getProperty("java.io.tmpdir"), "probe4j-" + System.getProperty("user.name"));
    }

    /** A new journal for this JVM. */
    public static BreakpointJournal create() {
        int pid = (int) ProcessHandle.current().pid();
        try {
            Path dir = Files.createDirectories(directory());
            Path file = dir.resolve(pid + "-" + Procfs.startTime(pid) + ".journal");
            Files.deleteIfExists(file); // a journal of ours: this pid with this start time is this JVM
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.APPEND);
            BreakpointJournal j = new BreakpointJournal(file, ch);
            j.append(header(pid, Procfs.startTime(pid)));
            return j;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the breakpoint journal in " + directory(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Before an {@code int3} replaces {@code original} at {@code addr} in process {@code pid}. */
    synchronized void inserting(int pid, long pidStart, long addr, byte original) {
        append(insertion(pid, pidStart, addr, original));
    }

    /** The first line: the journal of JVM {@code pid}, started at {@code start}. */
    static String header(int pid, long start) {
        return HEADER + " " + pid + " " + start;
    }

    /** The line written before an {@code int3} replaces {@code original} at {@code addr} in process {@code pid}. */
    static String insertion(int pid, long pidStart, long addr, byte original) {
        return "+ " + pid + " " + pidStart + " " + Long.toHexString(addr) + " " + Integer.toHexString(original & 0xff);
    }

    /**
     * Before {@code patches[i]} replaces {@code originals[i]} at {@code addrs[i]} in process {@code pid}, for
     * every i: one line each, all in one write (an inline install of a thousand sites is one system call).
     */
    synchronized void patching(int pid, long pidStart, long[] addrs, byte[][] originals, byte[][] patches) {
        if (addrs.length == 0) {
            return;
        }
        // written byte by byte into one array: a thousand lines in a cold JVM, where each StringBuilder
        // append is a chain of calls the interpreter makes
        byte[] prefix = ("* " + pid + " " + pidStart + " ").getBytes(StandardCharsets.US_ASCII);
        int size = 0;
        for (int i = 0; i < addrs.length; i++) {
            size += prefix.length + 16 + 1 + 2 * originals[i].length + 1 + 2 * patches[i].length + 1;
        }
        byte[] lines = new byte[size];
        int n = 0;
        for (int i = 0; i < addrs.length; i++) {
            System.arraycopy(prefix, 0, lines, n, prefix.length);
            n += prefix.length;
            int digits = Math.max(1, 16 - Long.numberOfLeadingZeros(addrs[i]) / 4); // as Long.toHexString
            for (int d = digits - 1; d >= 0; d--) {
                lines[n++] = HEX[(int) (addrs[i] >>> (4 * d)) & 0xf];
            }
            lines[n++] = ' ';
            n = hex(originals[i], lines, n);
            lines[n++] = ' ';
            n = hex(patches[i], lines, n);
            lines[n++] = '\n';
        }
        write(java.util.Arrays.copyOf(lines, n));
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** {@code bytes} in lower-case hex at {@code out[n]}; returns where they end. */
    private static int hex(byte[] bytes, byte[] out, int n) {
        for (byte b : bytes) {
            out[n++] = HEX[(b >> 4) & 0xf];
            out[n++] = HEX[b & 0xf];
        }
        return n;
    }

    /** After the original byte is back at {@code addr}. */
    synchronized void removed(int pid, long addr) {
        append("- " + pid + " " + Long.toHexString(addr));
    }

    /**
     * Before the USDT semaphore at {@code counter} in process {@code pid} gets one added ({@link Semaphores}):
     * if the JVM dies, the guardian takes it away again, as a detach would.
     */
    synchronized void semaphoreIncrementing(int pid, long pidStart, long counter) {
        append("s " + pid + " " + pidStart + " " + Long.toHexString(counter));
    }

    /** After one increment of the semaphore at {@code counter} is taken back (or can be no more). */
    synchronized void semaphoreDecremented(int pid, long counter) {
        append("u " + pid + " " + Long.toHexString(counter));
    }

    /** Process {@code pid} holds none of our breakpoints any more (exec, exit, let go). */
    synchronized void processGone(int pid) {
        append("x " + pid);
    }

    private void append(String line) {
        write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Whole lines, each ending in a newline, in one write. */
    private void write(byte[] lines) {
        if (closed) {
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(lines);
            while (b.hasRemaining()) {
                out.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing the breakpoint journal " + file, e);
        }
    }

    /** The clean end: every breakpoint is out, the journal goes. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("removing the breakpoint journal " + file, e);
        }
    }
}
