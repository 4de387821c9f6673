package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.Glob;
import io.probe4j.elf.ObjectFinder;
import io.probe4j.elf.SdtNote;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.Procfs;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code probe4j list --usdt PATH|PID [GLOB]}: the USDT probes of a file, or of every file a running
 * process maps, one place per line: file offset, semaphore file offset ({@code -} for none), the name to
 * write after {@code PATH:} ({@code PROVIDER:NAME}; {@code PATH:PROVIDER:NAME} for a process), and the
 * argument specifications as the note gives them. Sorted by name, then offset.
 */
final class UsdtList {
    private UsdtList() {
    }

    private record Row(long offset, String semaphore, String name, String arguments) {
    }

    /** Prints the listing; returns the exit status (1 when nothing matches). */
    static int print(String target, String glob, PrintWriter out, PrintWriter err) {
        Glob filter = glob == null ? null : Glob.of(glob);
        boolean process = target.matches("\\d+");
        List<Path> files = process ? mappedFiles(Integer.parseInt(target)) : List.of(ObjectFinder.system().find(target));
        List<Row> rows = new ArrayList<>();
        for (Path file : files) {
            List<SdtNote> notes;
            try {
                notes = ElfFile.open(file).sdtNotes();
            } catch (UserException e) {
                if (!process) {
                    throw e;
                }
                continue; // a mapped file that is not ELF (a locale archive, a font): no probes
            }
            for (SdtNote n : notes) {
                if (filter == null || filter.matches(n.qualifiedName())) {
                    rows.add(new Row(n.offset(), n.semaphoreOffset().isPresent()
                            ? "0x" + Long.toHexString(n.semaphoreOffset().getAsLong()) : "-",
                            (process ? file + ":" : "") + n.qualifiedName(), n.arguments()));
                }
            }
        }
        if (rows.isEmpty()) {
            String what = process ? "process " + target + " maps no file with USDT probes" : files.getFirst() + ": no USDT probes";
            err.println(glob == null ? what + " (no .note.stapsdt notes)" : what + " matching " + glob);
            err.flush();
            return 1;
        }
        rows.sort(Comparator.comparing(Row::name).thenComparingLong(Row::offset));
        int offsetWidth = rows.stream().mapToInt(r -> Long.toHexString(r.offset()).length()).max().orElse(1);
        int semaphoreWidth = rows.stream().mapToInt(r -> r.semaphore().length()).max().orElse(1);
        for (Row r : rows) {
            String line = String.format("0x%0" + offsetWidth + "x %-" + semaphoreWidth + "s %s %s", r.offset(),
                    r.semaphore(), r.name(), r.arguments());
            out.println(line.stripTrailing());
        }
        out.flush();
        return 0;
    }

    /** The files mapped executable into process {@code pid}, in address order, each once. */
    private static List<Path> mappedFiles(int pid) {
        if (!Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) {
            throw new UserException("probe4j list --usdt: no process " + pid);
        }
        List<Mapping> maps;
        try {
            maps = Procfs.maps(pid);
        } catch (RuntimeException e) {
            throw new UserException("probe4j list --usdt: cannot read the mappings of process " + pid + ": " + e.getMessage());
        }
        Set<Path> files = new LinkedHashSet<>();
        for (Mapping m : maps) {
            if (m.executable() && m.inode() != 0 && m.path().startsWith("/") && !m.path().endsWith(" (deleted)")) {
                files.add(Path.of(m.path()));
            }
        }
        return List.copyOf(files);
    }
}
