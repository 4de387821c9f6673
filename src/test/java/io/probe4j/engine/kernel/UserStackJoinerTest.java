package io.probe4j.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.event.ProbeEvent;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link UserStackJoiner}: trace_pipe merges the CPUs' buffers by time, so another thread's event can come
 * between an event and its {@code <user stack trace>} entry; each stack must still go to its own event,
 * and the events out in the order they came.
 */
class UserStackJoinerTest {
    private static ProbeEvent event(int tid, long ts) {
        return new ProbeEvent("t", tid, tid, 0, ProbeEvent.UPROBE_FLAGS, ts, "uprobes", "e", new ProbeEvent.Site.Entry(0x1000), List.of());
    }

    @Test
    void eachStackGoesToItsThreadsEventInArrivalOrder() {
        CollectingSink sink = new CollectingSink();
        UserStackJoiner j = new UserStackJoiner(sink);
        j.event(event(1, 10));
        j.event(event(2, 11)); // CPU 1's event before CPU 0's stack entry
        j.header(1);
        j.line(" <0000000000001111>");
        j.header(2);
        j.line(" <0000000000002222>");
        j.line(" <0000000000002223>");
        j.endOfRead();
        assertEquals(List.of(1, 2), sink.events.stream().map(ProbeEvent::tid).toList());
        assertEquals(Optional.of(List.of(" <0000000000001111>")), sink.events.get(0).stacks().kernel());
        assertEquals(Optional.of(List.of(" <0000000000002222>", " <0000000000002223>")), sink.events.get(1).stacks().kernel());
    }

    @Test
    void anEventWaitsForItsStackAcrossReadsAndLeavesWithoutOneAtTheEnd() {
        CollectingSink sink = new CollectingSink();
        UserStackJoiner j = new UserStackJoiner(sink);
        j.event(event(1, 10));
        j.endOfRead(); // its stack entry comes in the next read
        assertEquals(List.of(), sink.events);
        j.header(1);
        j.line(" <0000000000001111>");
        j.event(event(2, 12)); // its stack was lost (a full buffer)
        j.endOfRead();
        assertEquals(1, sink.events.size());
        j.flushAll();
        assertEquals(List.of(Optional.of(List.of(" <0000000000001111>")), Optional.empty()),
                sink.events.stream().map(e -> e.stacks().kernel()).toList());
    }
}
