package io.probe4j.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java histogram type: built from a hist trigger's text, fed events, printed as the kernel prints its hist
 * file (the layout itself is compared with the kernel's in HistVmTest) and as bars.
 */
class HistogramTest {
    private static final ProbeDefinition MALLOC = (ProbeDefinition) Parser.extended()
            .parseLine("p:uprobes/malloc /bin/true:0x1000 size=%di:u64 who=+0(%si):string").orElseThrow();

    private static ProbeEvent hit(long size, String who) {
        return new ProbeEvent("app", 42, 43, 1, "DBZff", 1_000_000, "uprobes", "malloc", new ProbeEvent.Site.Entry(0x401000),
                List.of(new ProbeEvent.Arg("size", new Value.Unsigned(size)),
                        new ProbeEvent.Arg("who", new Value.Text(who.getBytes(StandardCharsets.ISO_8859_1)))));
    }

    @Test
    void aHistogramCountsPerKeyAndPrintsTheKernelsHistFile() {
        Histogram h = Histogram.of("hist:keys=who:vals=size:sort=size.descending", MALLOC);
        h.accept(hit(10, "parser"));
        h.accept(hit(4096, "cache"));
        h.accept(hit(20, "parser"));
        assertEquals("""
                # event histogram
                #
                # trigger info: hist:keys=who:vals=hitcount,size:sort=size.descending:size=2048 [active]
                #

                { who: cache                                              } hitcount:          1  size:       4096
                { who: parser                                             } hitcount:          2  size:         30

                Totals:
                    Hits: 3
                    Entries: 2
                    Dropped: 0
                """, h.text());
    }

    @Test
    void theConditionPausingAndClearingDecideWhatIsCounted() {
        Histogram h = Histogram.of("hist:keys=size.log2 if who ~ \"p*\"", MALLOC);
        h.accept(hit(10, "parser"));
        h.accept(hit(10, "cache"));
        h.pause();
        h.accept(hit(10, "parser"));
        assertEquals(1, h.hits());
        assertTrue(h.text().contains("if who ~ \"p*\" [paused]"), h.text());
        h.cont();
        h.accept(hit(3000, "parser"));
        assertEquals(2, h.entries());
        h.clear();
        assertEquals(0, h.hits());
        assertEquals(0, h.entries());
    }

    @Test
    void aFullTableDropsHitsWithNewKeysAndCountsThem() {
        Histogram h = Histogram.of("hist:keys=size:size=128", MALLOC);
        for (int i = 0; i < 130; i++) {
            h.accept(hit(i, "x"));
        }
        h.accept(hit(0, "x"));
        assertEquals(128, h.entries());
        assertEquals(2, h.dropped());
        assertEquals(129, h.hits());
    }

    @Test
    void log2KeysDrawAsAPowerOfTwoHistogramWithTheKernelsBuckets() {
        Histogram h = Histogram.of("hist:keys=size.log2", MALLOC);
        for (long s : new long[] {1, 3, 4, 1000, 1024, 1025}) {
            h.accept(hit(s, "x"));
        }
        assertEquals("""
                @uprobes/malloc:
                [0, 1]                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
                (1, 2]                 0 |                                                    |
                (2, 4]                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                (4, 8]                 0 |                                                    |
                (8, 16]                0 |                                                    |
                (16, 32]               0 |                                                    |
                (32, 64]               0 |                                                    |
                (64, 128]              0 |                                                    |
                (128, 256]             0 |                                                    |
                (256, 512]             0 |                                                    |
                (512, 1K]              2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                (1K, 2K]               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |

                """, h.bars());
    }

    @Test
    void linearBucketsAndOtherKeysDrawToo() {
        Histogram lin = Histogram.of("hist:keys=who,size.buckets=100:vals=size", MALLOC);
        lin.accept(hit(5, "a"));
        lin.accept(hit(250, "a"));
        lin.accept(hit(5, "b"));
        assertEquals("""
                @uprobes/malloc[who: a]:
                [0, 100)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@| size: 5
                [100, 200)             0 |                                                    | size: 0
                [200, 300)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@| size: 250

                @uprobes/malloc[who: b]:
                [0, 100)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@| size: 5

                """, lin.bars());
        Histogram count = Histogram.of("hist:keys=who:sort=hitcount.descending", MALLOC);
        count.accept(hit(1, "parser"));
        count.accept(hit(1, "parser"));
        count.accept(hit(1, "cache"));
        assertEquals("""
                @uprobes/malloc:
                parser                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                cache                  1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |

                """, count.bars());
    }

    @Test
    void whatProbe4jCannotDoIsRefusedByName() {
        for (String t : List.of("hist:keys=size:lat=size", "hist:keys=size+1", "hist:keys=stacktrace",
                "hist:keys=size:onmax($x).save(size)", "hist:keys=size.syscall", "hist:keys=size:vals=who")) {
            TriggerException e = assertThrows(TriggerException.class, () -> Histogram.of(t, MALLOC), t);
            assertTrue(e.errno().isEmpty() && e.getMessage().startsWith("probe4j: cannot set this trigger: "), e.getMessage());
        }
        TriggerException e = assertThrows(TriggerException.class, () -> Histogram.of("traceon", MALLOC));
        assertTrue(e.getMessage().contains("a Histogram is a hist:... trigger"), e.getMessage());
    }
}
