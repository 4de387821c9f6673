package io.probe4j.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Readers of {@code /proc}: memory maps, thread lists, {@code comm}, the CPU a thread last ran on. */
public final class Procfs {
    private Procfs() {
    }

    /** {@code /proc/PID/maps}, in address order. */
    public static List<Mapping> maps(int pid) {
        List<Mapping> out = new ArrayList<>();
        for (String line : lines(Path.of("/proc", String.valueOf(pid), "maps"), "reading the memory map of process " + pid)) {
            if (!line.isBlank()) {
                out.add(Mapping.parse(line));
            }
        }
        return out;
    }

    /** The thread ids of process {@code pid} ({@code /proc/PID/task}), ascending. */
    public static List<Integer> tasks(int pid) {
        Path dir = Path.of("/proc", String.valueOf(pid), "task");
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
        } catch (NoSuchFileException e) {
            throw new SysException("opendir(" + dir + ")", Errno.ESRCH, "listing the threads of process " + pid);
        } catch (IOException e) {
            throw new UncheckedIOException("listing the threads of process " + pid, e);
        }
    }

    /**
     * {@code /proc/PID/task/TID/comm}: the thread's name, at most 15 bytes, one char per byte
     * (ISO-8859-1): the kernel keeps and prints bytes, which need not be UTF-8, and spaces at either end
     * are part of the name.
     */
    public static String comm(int pid, int tid) {
        return bytesOf(Path.of("/proc", String.valueOf(pid), "task", String.valueOf(tid), "comm"), "reading the name of thread " + tid);
    }

    /** {@code /proc/PID/comm}, as {@link #comm(int, int)}. */
    public static String comm(int pid) {
        return bytesOf(Path.of("/proc", String.valueOf(pid), "comm"), "reading the name of process " + pid);
    }

    /** The file's bytes, one char each, without the last newline. */
    private static String bytesOf(Path p, String doing) {
        try {
            byte[] b = Files.readAllBytes(p);
            int n = b.length > 0 && b[b.length - 1] == '\n' ? b.length - 1 : b.length;
            return new String(b, 0, n, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new SysException("open(" + p + ")", Errno.ESRCH, doing);
        } catch (IOException e) {
            throw new UncheckedIOException(doing, e);
        }
    }

    /** The CPU thread {@code tid} last ran on: field 39 ({@code processor}) of its {@code stat}. */
    public static int lastCpu(int pid, int tid) {
        return Integer.parseInt(statFields(pid, tid)[39 - 3]);
    }

    /** The calling thread's id ({@code gettid()}), as {@code /proc/thread-self} names it. */
    public static int currentTid() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * When process {@code pid} started, in clock ticks after boot (field 22 of {@code stat}): with the pid,
     * it names one process for good, where a pid alone may be reused.
     */
    public static long startTime(int pid) {
        return Long.parseLong(statFields(pid, pid)[22 - 3]);
    }

    /** The thread's nice value, -20 to 19: field 19 of {@code stat}. */
    public static int nice(int pid, int tid) {
        return Integer.parseInt(statFields(pid, tid)[19 - 3]);
    }

    /** The thread's state letter (R, S, D, T stopped, t traced, Z zombie, ...): field 3 of {@code stat}. */
    public static char state(int pid, int tid) {
        return statFields(pid, tid)[0].charAt(0);
    }

    /** The thread group (process) id of {@code tid}, from {@code /proc/TID/status}. */
    public static int tgid(int tid) {
        return statusField(tid, "Tgid:");
    }

    /** The parent process id of {@code pid}, from {@code /proc/PID/status}. */
    public static int ppid(int pid) {
        return statusField(pid, "PPid:");
    }

    /**
     * A signal set of {@code /proc/PID/status} ({@code SigIgn:}, {@code SigBlk:}, ...) as a mask: bit
     * N-1 for signal N. Real-time signals above 64 do not exist on x86-64.
     */
    public static long signalSet(int pid, String key) {
        return Long.parseUnsignedLong(statusText(pid, key), 16);
    }

    private static int statusField(int pid, String key) {
        return Integer.parseInt(statusText(pid, key));
    }

    private static String statusText(int pid, String key) {
        // one char per byte: its Name line need not be UTF-8
        for (String line : bytesOf(Path.of("/proc", String.valueOf(pid), "status"), "reading the status of " + pid).lines().toList()) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).strip();
            }
        }
        throw new IllegalStateException("/proc/" + pid + "/status has no " + key + " line");
    }

    /** Fields of {@code stat} after the {@code (comm)}, which may itself hold spaces and parentheses. */
    private static String[] statFields(int pid, int tid) {
        // one char per byte: the (comm) in it need not be UTF-8
        String stat = bytesOf(Path.of("/proc", String.valueOf(pid), "task", String.valueOf(tid), "stat"),
                "reading the state of thread " + tid);
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static String read(Path p, String doing) {
        try {
            return Files.readString(p);
        } catch (NoSuchFileException e) {
            throw new SysException("open(" + p + ")", Errno.ESRCH, doing);
        } catch (IOException e) {
            throw new UncheckedIOException(doing, e);
        }
    }

    private static List<String> lines(Path p, String doing) {
        return read(p, doing).lines().toList();
    }
}
