package io.probe4j.arch.x86_64;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Loadable segments and function symbols of an ELF file, read through readelf. A stopgap for the
 * tests until {@code io.probe4j.elf} lands; it exists so the differential test is not blocked.
 */
record ElfLayoutForTests(List<long[]> loads, List<long[]> functions) {

    static ElfLayoutForTests of(Path file) throws IOException, InterruptedException {
        List<long[]> loads = new ArrayList<>();
        for (String line : readelf("-lW", file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[0].equals("LOAD")) {
                loads.add(new long[] {Long.decode(f[1]), Long.decode(f[2]), Long.decode(f[4])});
            }
        }
        TreeSet<List<Long>> seen = new TreeSet<>((a, b) -> a.get(0).equals(b.get(0))
                ? Long.compare(a.get(1), b.get(1)) : Long.compareUnsigned(a.get(0), b.get(0)));
        for (String line : readelf("-sW", file)) {
            String[] f = line.trim().split("\\s+");
            // Num: Value Size Type Bind Vis Ndx Name
            if (f.length >= 7 && f[3].equals("FUNC") && !f[6].equals("UND")) {
                long size = f[2].startsWith("0x") ? Long.decode(f[2]) : Long.parseLong(f[2]);
                if (size > 0) {
                    seen.add(List.of(Long.parseUnsignedLong(f[1], 16), size));
                }
            }
        }
        List<long[]> functions = new ArrayList<>();
        for (List<Long> s : seen) {
            functions.add(new long[] {s.get(0), s.get(1)});
        }
        return new ElfLayoutForTests(loads, functions);
    }

    /** The file offset of a virtual address, or -1 if no loadable segment holds it in the file. */
    long fileOffset(long vaddr) {
        for (long[] l : loads) {
            if (vaddr >= l[1] && vaddr < l[1] + l[2]) {
                return l[0] + (vaddr - l[1]);
            }
        }
        return -1;
    }

    private static List<String> readelf(String option, Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("readelf", option, file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().toList();
    }
}
