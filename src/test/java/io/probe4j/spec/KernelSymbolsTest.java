package io.probe4j.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Reading the kernel's symbol files as they come: odd lines, and files the kernel will not let us read. */
class KernelSymbolsTest {

    @Test
    void anOddLineInKallsymsSkipsThatLineNotTheRestOfTheTable() throws Exception {
        Path dir = Files.createTempDirectory("kallsyms");
        Path kallsyms = Files.writeString(dir.resolve("kallsyms"), """
                ffffffff81000000 T _text
                this line is not a symbol
                zzzz T not_hex_address
                ffffffff81234560 T vfs_read
                ffffffffc0001000 t helper\t[mymod]
                """);
        Path filterFunctions = Files.writeString(dir.resolve("available_filter_functions"), "vfs_read\n");
        KernelSymbols s = KernelSymbols.Table.read(kallsyms, filterFunctions, dir.resolve("no-such-file"));
        assertEquals(0xffffffff81234560L, s.lookup(null, "vfs_read").getFirst().address(), "symbols after the odd lines are read");
        assertTrue(s.moduleLoaded("mymod"));
        assertTrue(s.lookup(null, "not_hex_address").isEmpty());
        assertTrue(s.ftraced("vfs_read"));
    }

    @Test
    void aFileTheKernelRefusesReadsAsEmptyNotAsAnError() throws Exception {
        Path dir = Files.createTempDirectory("kallsyms");
        Path kallsyms = Files.writeString(dir.resolve("kallsyms"), "ffffffff81234560 T vfs_read\n");
        // a directory cannot be read as a file: the same IOException path as EPERM from a kernel with ftrace disabled
        KernelSymbols s = KernelSymbols.Table.read(kallsyms, dir, dir);
        assertFalse(s.ftraced("vfs_read"));
        assertEquals(1, s.lookup(null, "vfs_read").size());
    }
}
