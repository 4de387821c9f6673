package io.probe4j.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.sys.Mapping;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sym-userobj} names objects from the process's mappings without reading them at every hit. */
class KernelUserStackTest {
    private static final Mapping PROGRAM = new Mapping(0x1000, 0x3000, "r-xp", 0x1000, "08:01", 5, "/bin/prog");
    private static final Mapping LIBRARY = new Mapping(0x7000, 0x8000, "r-xp", 0, "08:01", 6, "/lib/libx.so");

    @Test
    void theMappingsAreReadAgainOnlyWhenAStackLeavesThem() {
        List<Mapping> now = new ArrayList<>(List.of(PROGRAM));
        int[] reads = {0};
        MappingsCache maps = new MappingsCache(pid -> {
            reads[0]++;
            return now;
        });
        assertEquals(List.of("/bin/prog[+0x100]", "/bin/prog[+0x1ff0]"), KernelUserStack.text(new long[] {0x1100, 0x2ff0}, 42, false, maps));
        assertEquals(List.of("/bin/prog[+0x200]"), KernelUserStack.text(new long[] {0x1200}, 42, false, maps));
        assertEquals(1, reads[0], "every address lay in the mappings read at the first hit");

        now.add(LIBRARY); // dlopen
        assertEquals(List.of("/lib/libx.so[+0x10] <0000000000007010>", "/bin/prog[+0x100] <0000000000001100>"),
                KernelUserStack.text(new long[] {0x7010, 0x1100}, 42, true, maps));
        assertEquals(2, reads[0], "an address outside them made the mappings be read again");
        KernelUserStack.text(new long[] {0x7020}, 42, false, maps);
        assertEquals(2, reads[0]);
    }

    @Test
    void withoutSymUserobjOnlyAddressesAndNoRead() {
        int[] reads = {0};
        MappingsCache maps = new MappingsCache(pid -> {
            reads[0]++;
            return List.of(PROGRAM);
        });
        assertEquals(List.of(" <0000000000001100>"), KernelUserStack.text(new long[] {0x1100}, 0, false, maps));
        assertEquals(0, reads[0]);
    }
}
