package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.probe4j.testing.Kernel;

/**
 * {@code probe4j trace --filter 'EVENT: EXPR'}: the kernel engine has the kernel filter in its instance,
 * the trap engine filters in Java, and both print the same events; a bad filter stops probe4j before
 * anything is traced, with the kernel's message and caret.
 */
@Timeout(180)
@Kernel
class FilterEnginesTest {
    private static final String ARGS = "seq=%di:u32 s8=%si:s8 u16=%si:u16 s64=%si:s64 x32=%si:x32 name=+0(%dx):string"
            + " bf=%cx:b5@3/32 arr2=+0(%dx):u8[2] pair=+0(%r8):string[2] cm=$comm";

    private static Path bin() {
        return Fixtures.compile("filter_fields.c");
    }

    private static List<String> definitions(String... filters) {
        String at = bin() + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin(), "record"));
        List<String> d = new ArrayList<>(List.of("p:ff " + at + " " + ARGS, "r:ffr " + at + " rv=$retval:u32 low=$retval:s8"));
        for (String f : filters) {
            d.add("--filter");
            d.add(f);
        }
        return d;
    }

    /**
     * Both engines, the fixture's 32 samples twice (64 hits of each of two events): the same events, and
     * the filters did keep some hits and drop others.
     */
    private static void assertSameEvents(String... filters) throws Exception {
        List<String> command = List.of(bin().toString(), "2");
        BothEngines.Run kernel = BothEngines.run("kernel", definitions(filters), command);
        BothEngines.Run trap = BothEngines.run("trap", definitions(filters), command);
        int n = kernel.events().size();
        assertTrue(n > 0 && n < 2 * 64, n + " kernel events:\n" + String.join("\n", kernel.events()) + kernel.err());
        assertEquals(String.join("\n", kernel.events()), String.join("\n", trap.events()), trap.err());
        assertEquals(0, trap.status());
        assertFalse(trap.err().contains("probe4j:") || kernel.err().contains("probe4j:"), trap.err() + kernel.err());
    }

    @Test
    void bothEnginesKeepTheSameHits() throws Exception {
        assertSameEvents("ff: s8 < 0 && name ~ \"*a*\" || !(u16 != 0x5a5a) && x32 & 0x100",
                "ffr: rv & 4 && low < 0 || rv == 0");
    }

    @Test
    void stringsGlobsArraysBitfieldsAndTheTaskAreFilteredAlike() throws Exception {
        assertSameEvents("ff: (name ~ \"[a-h]*\" || pair ~ \"*.so.?\") && cm == \"filter_fields\" && COMM ~ \"filt*\""
                + " && arr2 != 0x6c61 && bf < 30", "ffr: rv > 1000000");
    }

    @Test
    void aFilterForEveryEventAndOneByName() throws Exception {
        // ffr has no field seq: its own filter takes over from '*'
        assertSameEvents("*: seq < 4", "ffr: common_pid > 0 && __probe_ret_ip != 0");
    }

    @Test
    void aBadFilterIsTheKernelsMessageWithACaretAndNothingIsTraced() {
        for (String engine : List.of("trap", "kernel")) {
            List<String> args = new ArrayList<>(List.of("trace", "--engine", engine));
            args.addAll(definitions("ff: s8 < 0 && nmae ~ \"a*\""));
            args.addAll(List.of("--", bin().toString()));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertEquals(2, r.status(), r.err());
            assertEquals("probe4j trace: bad filter for event ff:\n"
                    + "event filter parse error: error: Field not found\n"
                    + "  Command: s8 < 0 && nmae ~ \"a*\"\n"
                    + "                          ^\n", r.err());
            assertEquals("", r.out(), "the program never ran");
        }
    }

    @Test
    void aFilterForAnEventThatDoesNotExistIsRefused() {
        List<String> args = new ArrayList<>(List.of("trace"));
        args.addAll(definitions("fff: seq == 1"));
        args.addAll(List.of("--", bin().toString()));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("probe4j trace: --filter 'fff: seq == 1': no event named fff (the events: ff, ffr)"), r.err());
    }
}
