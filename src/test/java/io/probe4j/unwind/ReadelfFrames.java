package io.probe4j.unwind;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The oracle for call-frame information: the table {@code readelf --debug-dump=frames-interp} prints
 * for each FDE of {@code .eh_frame}, one row per location, one cell per register column.
 */
final class ReadelfFrames {
    /** One FDE: its range and the rows readelf printed (none when it has no instructions). */
    record FdeTable(long pcBegin, long pcEnd, List<String> columns, List<Row> rows) {
    }

    /** One row: its location, the CFA cell and one cell per column of the table's header. */
    record Row(long location, String cfa, List<String> cells) {
    }

    private static final Pattern FDE =
            Pattern.compile("^[0-9a-f]{8} [0-9a-f]+ [0-9a-f]+ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\\.\\.([0-9a-f]+)");
    private static final Pattern ROW = Pattern.compile("^([0-9a-f]{8,16}) (\\S+)\\s+(.*)$");
    // A DW_CFA_register cell is "r9 (r9)"; every other cell is one word.
    private static final Pattern CELL = Pattern.compile("r\\d+ \\([^)]*\\)|\\S+");

    private ReadelfFrames() {
    }

    static List<FdeTable> of(Path file) throws Exception {
        Process p = new ProcessBuilder("readelf", "--debug-dump=frames-interp", file.toString()).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        // readelf exits with 1 over unrelated complaints (libc.so.6: "Unable to find program interpreter
        // name"); the table is there all the same.
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("readelf did not finish on " + file);
        }
        List<FdeTable> out = new ArrayList<>();
        long begin = 0;
        long end = 0;
        List<String> columns = null;
        List<Row> rows = null;
        boolean inFde = false;
        for (String line : lines) {
            Matcher f = FDE.matcher(line);
            if (f.find()) {
                if (inFde) {
                    out.add(new FdeTable(begin, end, columns, rows));
                }
                inFde = true;
                begin = Long.parseUnsignedLong(f.group(1), 16);
                end = Long.parseUnsignedLong(f.group(2), 16);
                columns = List.of();
                rows = new ArrayList<>();
                continue;
            }
            if (line.contains(" CIE ")) {
                if (inFde) {
                    out.add(new FdeTable(begin, end, columns, rows));
                }
                inFde = false;
                continue;
            }
            if (!inFde) {
                continue;
            }
            String t = line.trim();
            if (t.startsWith("LOC")) {
                String[] h = t.split("\\s+");
                columns = List.of(h).subList(2, h.length);
                continue;
            }
            Matcher r = ROW.matcher(line);
            if (r.find() && !line.contains("ZERO terminator")) {
                List<String> cells = new ArrayList<>();
                Matcher c = CELL.matcher(r.group(3));
                while (c.find()) {
                    cells.add(c.group());
                }
                rows.add(new Row(Long.parseUnsignedLong(r.group(1), 16), r.group(2), cells));
            }
        }
        if (inFde) {
            out.add(new FdeTable(begin, end, columns, rows));
        }
        return out;
    }
}
