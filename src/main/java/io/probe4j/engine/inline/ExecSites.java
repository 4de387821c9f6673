package io.probe4j.engine.inline;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Where the engine says the probes are, for the reader ({@link SiteTable#take}), except in a process
 * that exec'd while records of its old image were still in the rings: there, the addresses the probes
 * had before the exec, until the reader has taken every record reserved before it. (The exec stop makes
 * the reader drain; records stay behind only when the backlog is at its bound.)
 */
final class ExecSites implements EventDecoder.Sites {
    private record Before(long[] addresses, long[] heads) {
    }

    private final EventDecoder.Sites engine;
    private final Map<Integer, Before> execed = new HashMap<>();

    ExecSites(EventDecoder.Sites engine) {
        this.engine = engine;
    }

    @Override
    public long address(int pid, int event) {
        Before b = execed.isEmpty() ? null : execed.get(pid);
        return b == null ? engine.address(pid, event) : b.addresses()[event];
    }

    /** Process {@code pid} exec'd: its {@code events} probes stay where they are now for the records up to {@code heads}. */
    void execed(int pid, int events, long[] heads) {
        long[] now = new long[events];
        for (int e = 0; e < events; e++) {
            now[e] = engine.address(pid, e);
        }
        execed.put(pid, new Before(now, heads));
    }

    /** Lets go of the processes whose records from before their exec have all been taken. */
    void settle(RingReader reader) {
        for (Iterator<Before> it = execed.values().iterator(); it.hasNext(); ) {
            if (reader.taken(it.next().heads())) {
                it.remove();
            }
        }
    }
}
