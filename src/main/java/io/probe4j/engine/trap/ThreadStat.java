package io.probe4j.engine.trap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A thread's {@code /proc/PID/task/TID/stat}, kept open and re-read with one {@code pread} at offset 0
 * (procfs regenerates it): the thread's current name (field 2) and the CPU it last ran on (field 39),
 * which is what the kernel prints as {@code TASK} and {@code CPU#} for a hit. One system call per hit
 * instead of open, read, close.
 */
final class ThreadStat implements AutoCloseable {
    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(1024);
    private String comm;
    private int cpu;

    ThreadStat(int pid, int tid) throws IOException {
        channel = FileChannel.open(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid), "stat"),
                StandardOpenOption.READ);
    }

    /** Reads the file again. */
    void refresh() throws IOException {
        buf.clear();
        int n = channel.read(buf, 0);
        byte[] b = buf.array();
        int open = 0;
        while (open < n && b[open] != '(') {
            open++;
        }
        int close = n - 1;
        while (close > open && b[close] != ')') { // the name may hold ')': the last one closes it
            close--;
        }
        comm = new String(b, open + 1, close - open - 1, StandardCharsets.ISO_8859_1);
        // after ") " come fields 3, 4, ...: field 39 is the 37th of them
        int field = 3, i = close + 2;
        while (field < 39 && i < n) {
            if (b[i++] == ' ') {
                field++;
            }
        }
        int v = 0;
        while (i < n && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i++] - '0');
        }
        cpu = v;
    }

    String comm() {
        return comm;
    }

    int cpu() {
        return cpu;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
