package io.probe4j.engine.trap;

import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Procfs;
import io.probe4j.sys.SysException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Taking out what a dead JVM's {@link BreakpointJournal} says is still in place: for each process that
 * is still the one the journal names (same pid, same start time), every address that still holds our
 * {@code int3} gets its original byte back. Used by the {@link Guardian} the moment the JVM dies, and
 * by a later probe4j run for journals nobody restored.
 */
public final class JournalRestore {
    private static final byte INT3 = (byte) 0xcc;

    /** What was found and done in one process. */
    public record ProcessOutcome(int pid, String comm, boolean alive, int restored, int stillOriginal, int semaphores) {
    }

    /** What was found and done for one journal: the dead JVM, then each process. */
    public record Outcome(int jvmPid, List<ProcessOutcome> processes) {
        /** One line per process, for the user. */
        public List<String> describe() {
            List<String> lines = new ArrayList<>();
            for (ProcessOutcome p : processes) {
                lines.add("probe4j: an earlier probe4j (pid " + jvmPid + ") was killed while it had breakpoints in process "
                        + p.pid() + (p.comm().isEmpty() ? "" : " (" + p.comm() + ")") + ": "
                        + (p.alive() ? p.restored() + " were taken out afterwards"
                        + (p.semaphores() > 0 ? " and " + p.semaphores() + " USDT semaphore increments taken back" : "")
                        + ", the process runs on"
                        : "the process has ended since (a hit on a breakpoint left behind kills it with SIGTRAP)"));
            }
            return lines;
        }
    }

    /**
     * A process of the journal: its breakpoints (address to original byte), its inline patches (address to
     * the original bytes and the patch), its semaphore increments (address to count).
     */
    private record Live(int pid, long start, Map<Long, Byte> breakpoints, Map<Long, byte[][]> patches, Map<Long, Integer> semaphores) {
        Live(int pid, long start) {
            this(pid, start, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        }
    }

    private JournalRestore() {
    }

    /** Restores what {@code journal} lists; the journal itself is left for the caller. */
    public static Outcome restore(Path journal) throws IOException {
        List<String> lines = Files.readAllLines(journal);
        if (lines.isEmpty() || !lines.getFirst().startsWith(BreakpointJournal.HEADER + " ")) {
            throw new IOException(journal + " is not a probe4j breakpoint journal");
        }
        return restore(lines);
    }

    /** Restores what the journal's {@code lines} list, its header first. */
    static Outcome restore(List<String> lines) {
        int jvm = Integer.parseInt(lines.getFirst().split(" ")[2]);
        Map<Integer, Live> live = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "+" -> live.computeIfAbsent(Integer.parseInt(f[1]), pid -> new Live(pid, Long.parseLong(f[2])))
                        .breakpoints().put(Long.parseUnsignedLong(f[3], 16), (byte) Integer.parseInt(f[4], 16));
                case "*" -> {
                    if (f.length == 6) {
                        live.computeIfAbsent(Integer.parseInt(f[1]), pid -> new Live(pid, Long.parseLong(f[2])))
                                .patches().put(Long.parseUnsignedLong(f[3], 16),
                                        new byte[][] {HexFormat.of().parseHex(f[4]), HexFormat.of().parseHex(f[5])});
                    }
                }
                case "s" -> live.computeIfAbsent(Integer.parseInt(f[1]), pid -> new Live(pid, Long.parseLong(f[2])))
                        .semaphores().merge(Long.parseUnsignedLong(f[3], 16), 1, Integer::sum);
                case "u" -> {
                    Live l = live.get(Integer.parseInt(f[1]));
                    if (l != null) {
                        l.semaphores().merge(Long.parseUnsignedLong(f[2], 16), -1, (a, b) -> a + b == 0 ? null : a + b);
                    }
                }
                case "-" -> {
                    Live l = live.get(Integer.parseInt(f[1]));
                    if (l != null) {
                        l.breakpoints().remove(Long.parseUnsignedLong(f[2], 16));
                        l.patches().remove(Long.parseUnsignedLong(f[2], 16));
                    }
                }
                case "x" -> live.remove(Integer.parseInt(f[1]));
                default -> {
                    // a line cut short by the JVM's death: nothing was written after it
                }
            }
        }
        List<ProcessOutcome> out = new ArrayList<>();
        for (Live l : live.values()) {
            if (!l.breakpoints().isEmpty() || !l.patches().isEmpty() || !l.semaphores().isEmpty()) {
                out.add(restore(l));
            }
        }
        return new Outcome(jvm, out);
    }

    private static ProcessOutcome restore(Live l) {
        String comm;
        try {
            if (Procfs.startTime(l.pid()) != l.start()) {
                return new ProcessOutcome(l.pid(), "", false, 0, 0, 0); // the pid belongs to another process now
            }
            comm = Procfs.comm(l.pid());
        } catch (SysException | IllegalStateException gone) {
            return new ProcessOutcome(l.pid(), "", false, 0, 0, 0);
        }
        int restored = 0, original = 0, semaphores = 0;
        try (ProcessMemory memory = new ProcessMemory(l.pid())) {
            for (Map.Entry<Long, Byte> bp : l.breakpoints().entrySet()) {
                if (memory.readForced(bp.getKey(), 1)[0] == INT3) {
                    memory.writeForced(bp.getKey(), new byte[] {bp.getValue()});
                    restored++;
                } else {
                    original++;
                }
            }
            for (Map.Entry<Long, byte[][]> p : l.patches().entrySet()) {
                byte[] was = p.getValue()[0];
                if (Arrays.equals(memory.readForced(p.getKey(), was.length), p.getValue()[1])) {
                    // one write: the program runs untraced now, and an int3 first (as the tracer writes a patch
                    // with every thread stopped) would kill the thread that hits it
                    memory.writeForced(p.getKey(), was);
                    restored++;
                } else {
                    original++;
                }
            }
            for (Map.Entry<Long, Integer> s : l.semaphores().entrySet()) {
                semaphores += decrement(memory, s.getKey(), s.getValue());
            }
        } catch (SysException e) {
            return new ProcessOutcome(l.pid(), comm, false, restored, original, semaphores);
        }
        return new ProcessOutcome(l.pid(), comm, true, restored, original, semaphores);
    }

    /**
     * Takes {@code count} increments back from the 16-bit semaphore at {@code at}, never below zero (as
     * {@link Semaphores} and the kernel leave a counter that would go negative); how many it took. The
     * journal is written ahead, so a JVM killed between the line and the increment leaves one line too
     * many: the counter is then one lower than before probe4j came, or zero.
     */
    private static int decrement(ProcessMemory memory, long at, int count) {
        if (count <= 0) {
            return 0;
        }
        byte[] b = memory.readForced(at, 2);
        int value = (short) ((b[0] & 0xff) | (b[1] & 0xff) << 8);
        int taken = Math.min(count, Math.max(value, 0));
        int v = value - taken;
        if (taken > 0) {
            memory.writeForced(at, new byte[] {(byte) v, (byte) (v >> 8)});
        }
        return taken;
    }

    /**
     * For a new probe4j run: restores what dead JVMs' journals still list (the guardian may have been
     * killed with its JVM), reports what the guardians did ({@code .killed} files), and removes both.
     * Journals of live JVMs are left alone.
     */
    public static void reportLeftovers(PrintStream diagnostics) {
        Path dir = BreakpointJournal.directory();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".killed")) {
                    Files.readAllLines(f).forEach(diagnostics::println);
                    Files.deleteIfExists(f);
                } else if (name.endsWith(".journal") && !writerAlive(name)) {
                    restore(f).describe().forEach(diagnostics::println);
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException | RuntimeException e) {
            diagnostics.println("probe4j: warning: cannot check " + dir + " for breakpoints an earlier probe4j left behind: " + e);
        }
    }

    /** Whether the JVM named {@code PID-START.journal} still runs. */
    private static boolean writerAlive(String name) {
        String[] parts = name.substring(0, name.length() - ".journal".length()).split("-");
        try {
            int pid = Integer.parseInt(parts[0]);
            return Procfs.startTime(pid) == Long.parseLong(parts[1]);
        } catch (SysException | NumberFormatException | ArrayIndexOutOfBoundsException gone) {
            return false;
        }
    }
}
