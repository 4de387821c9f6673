package io.probe4j.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every FDE of real libraries read and evaluated row by row, against the table {@code readelf
 * --debug-dump=frames-interp} prints: the FDE found for its first and last byte through
 * {@code .eh_frame_hdr}'s search table, the CFA rule and every register's rule at every location.
 */
class CallFrameInfoTest {
    private static final String[] NAMES = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ra"};

    @Test
    void libcRowsAreReadelfsRows() throws Exception {
        assertSameTable(Path.of("/lib/x86_64-linux-gnu/libc.so.6"));
    }

    @Test
    void dynamicLoaderRowsAreReadelfsRows() throws Exception {
        assertSameTable(Path.of("/lib64/ld-linux-x86-64.so.2"));
    }

    @Test
    void libstdcxxAndLibgccRowsAreReadelfsRows() throws Exception {
        assertSameTable(Path.of("/lib/x86_64-linux-gnu/libstdc++.so.6"));
        assertSameTable(Path.of("/lib/x86_64-linux-gnu/libgcc_s.so.1"));
    }

    @Test
    void libjvmRowsAreReadelfsRows() throws Exception {
        Path jvm = Path.of(System.getProperty("java.home"), "lib/server/libjvm.so");
        assertSameTable(jvm);
    }

    @Test
    void fixtureRowsAreReadelfsRowsWithAndWithoutFramePointers() throws Exception {
        assertSameTable(Fixtures.compileAs("unwind_chain_fp", "unwind_chain.c", "-O0", "-fno-omit-frame-pointer"));
        assertSameTable(Fixtures.compileAs("unwind_chain_nofp", "unwind_chain.c", "-O2", "-fomit-frame-pointer"));
    }

    private static void assertSameTable(Path file) throws Exception {
        assertTrue(Files.exists(file), file + " is missing");
        CallFrameInfo cfi = CallFrameInfo.of(ElfFile.open(file)).orElseThrow();
        List<ReadelfFrames.FdeTable> tables = ReadelfFrames.of(file);
        assertTrue(tables.size() > 1, "readelf printed no FDE for " + file);
        List<String> wrong = new ArrayList<>();
        int rows = 0;
        for (ReadelfFrames.FdeTable t : tables) {
            if (t.pcEnd() == t.pcBegin()) {
                continue; // empty FDEs (padding) are not in the search table
            }
            Optional<Fde> first = cfi.fdeFor(t.pcBegin());
            Optional<Fde> last = cfi.fdeFor(t.pcEnd() - 1);
            if (first.isEmpty() || first.get().pcBegin() != t.pcBegin() || first.get().pcBegin() + first.get().pcRange() != t.pcEnd()
                    || last.isEmpty() || last.get().offset() != first.get().offset()) {
                wrong.add(String.format("FDE for 0x%x..0x%x: found %s / %s", t.pcBegin(), t.pcEnd(), first, last));
                continue;
            }
            for (ReadelfFrames.Row r : t.rows()) {
                rows++;
                String ours = render(cfi.rowAt(first.get(), r.location()), t.columns());
                String theirs = r.cfa() + " " + String.join(" ", r.cells());
                if (!ours.equals(theirs)) {
                    wrong.add(String.format("0x%x: readelf %s, ours %s (columns %s)", r.location(), theirs, ours, t.columns()));
                }
            }
        }
        assertTrue(rows > 0);
        assertEquals(List.of(), wrong.stream().limit(20).toList(), file + ": " + wrong.size() + " of " + rows + " rows differ");
    }

    /** A row as readelf prints it: the CFA, then a cell per column. */
    private static String render(UnwindRow row, List<String> columns) {
        StringBuilder b = new StringBuilder();
        b.append(switch (row.cfa()) {
            case CfaRule.RegisterOffset ro -> NAMES[ro.register()] + String.format("%+d", ro.offset());
            case CfaRule.Expression e -> "exp";
        });
        for (String col : columns) {
            int column = List.of(NAMES).indexOf(col);
            b.append(' ');
            if (column < 0) {
                b.append("?").append(col);
                continue;
            }
            if (!row.hasRule(column)) {
                b.append('u');
                continue;
            }
            b.append(switch (row.rule(column)) {
                case RegisterRule.Undefined u -> "u";
                case RegisterRule.SameValue s -> "s";
                case RegisterRule.Offset o -> String.format("c%+d", o.offset());
                case RegisterRule.ValOffset v -> String.format("v%+d", v.offset());
                case RegisterRule.InRegister r -> "r" + r.register() + " (" + NAMES[r.register()] + ")";
                case RegisterRule.AtExpression e -> "exp";
                case RegisterRule.IsExpression e -> "vexp";
            });
        }
        return b.toString();
    }
}
