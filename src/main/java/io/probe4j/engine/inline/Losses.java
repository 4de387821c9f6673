package io.probe4j.engine.inline;

import java.util.ArrayList;
import java.util.List;

/**
 * What the inline engine did not record, as its reader counted it at the end.
 *
 * @param lost      per event id, records dropped because a ring was full
 * @param abandoned records skipped unfinished (their writer stopped or was killed mid-record)
 * @param resyncs   times the reader skipped to a ring's head (an unknown number lost)
 */
public record Losses(long[] lost, long abandoned, long resyncs) {
    public Losses {
        lost = lost.clone();
    }

    @Override
    public long[] lost() {
        return lost.clone();
    }

    /** The warnings a trace prints at its end (none: nothing lost); {@code events} names each event id ({@code GROUP/NAME}). */
    public List<String> lines(List<String> events) {
        List<String> lines = new ArrayList<>();
        for (int e = 0; e < lost.length && e < events.size(); e++) {
            if (lost[e] > 0) {
                lines.add("warning: the inline engine lost " + lost[e] + " records of " + events.get(e)
                        + " (its ring was full: the reader did not keep up)");
            }
        }
        if (abandoned + resyncs > 0) {
            lines.add("warning: the inline engine skipped " + abandoned + " unfinished records and lost an "
                    + "unknown number at " + resyncs + " resynchronizations (a writer stopped or killed mid-record)");
        }
        return lines;
    }
}
