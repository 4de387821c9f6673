package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.event.EventSink;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.filter.FilterException;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The definition language from Java: {@link EventProbes#of} is a definition's event with the kernel's
 * event filter, registered on a {@link Tracer}; it keeps exactly the hits the filter accepts.
 */
@Timeout(120)
@Tag("integration")
class EventProbesTest {
    private static final Path BIN = Fixtures.compile("filter_fields.c");

    private static ProbeDefinition definition() {
        return (ProbeDefinition) Parser.extended().parseLine("p:ff " + BIN + ":record seq=%di:u32 name=+0(%dx):string")
                .orElseThrow();
    }

    /** The values of each event's arguments, in order, as the ftrace line prints them. */
    private static List<String> trace(String filter) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        try (Tracer t = Tracer.launch(Launch.of(BIN.toString(), "2").withStdout(Path.of("/dev/null")))) {
            t.register(EventProbes.of(definition(), EventSink.of(e -> seen.add(args(e))), filter));
            assertEquals(0, t.run());
        }
        return seen;
    }

    private static String args(ProbeEvent e) {
        return e.args().stream().map(a -> a.name() + "=" + new String(TraceText.value(a.value()), StandardCharsets.ISO_8859_1)).reduce((a, b) -> a + " " + b).orElse("");
    }

    @Test
    void theFilterKeepsTheHitsItAcceptsAndOnlyThose() throws InterruptedException {
        List<String> all = trace("");
        List<String> kept = trace("seq < 4 || name ~ \"*a*\"");
        assertEquals(64, all.size(), "the fixture records 32 samples twice");
        List<String> expected = all.stream().filter(s -> {
            int seq = Integer.parseInt(s.substring("seq=".length(), s.indexOf(' ')));
            String name = s.substring(s.indexOf("name=") + "name=".length());
            return seq < 4 || name.contains("a"); // the name is printed quoted
        }).toList();
        assertTrue(expected.size() > 8 && expected.size() < 64, expected.toString());
        assertEquals(expected, kept);
    }

    @Test
    void aFilterTheKernelRefusesIsItsMessageAndPosition() {
        FilterException e = assertThrows(FilterException.class, () -> EventProbes.of(definition(), EventSink.of(ev -> { }), "seq < 4 && nmae == 1"));
        assertTrue(e.getMessage().contains("Field not found"), e.getMessage());
    }
}
