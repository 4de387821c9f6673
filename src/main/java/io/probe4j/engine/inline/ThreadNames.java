package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RecordFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The reader's side of thread names: the name of each thread whose records it takes out of the rings,
 * read from {@code /proc} the first time, and handed over in the batch ({@link RecordBatch.Name}) so
 * that the decoding thread, however late, names the records as they were named when taken. A forgotten
 * thread (it exited, or its process exec'd) keeps its name until the reader has taken every record
 * that was in the rings when it learnt of it: those are the thread's (or the old program's); then the
 * name goes, in the batch too, and a thread that comes with that id later is named anew. At an exec the
 * engine says what the thread was called before ({@link #execed}), for its records not named yet. (A new thread
 * that reuses the id before that, which takes the kernel's pid counter going round, would show the old
 * name.)
 */
final class ThreadNames {
    /** Where a thread's name is read: {@code /proc}, or the engine, which knows of an exec the kernel began. */
    @FunctionalInterface
    interface Comms {
        String comm(int pid, int tid);
    }

    private record Forgotten(int tid, long[] heads) {
    }

    private final Comms comms;

    private final Map<Integer, String> names = new HashMap<>();
    private final List<Forgotten> forgotten = new ArrayList<>();
    private int lastTid;
    private String lastName;

    ThreadNames(Comms comms) {
        this.comms = comms;
    }

    /** Hands over, in {@code b}, the name of each thread first seen in its records from byte {@code from} on. */
    void name(RecordBatch b, int from) {
        byte[] data = b.data();
        for (int at = from; at < b.length(); at += RecordFormat.length(Bytes.getLong(data, at))) {
            int tid = Bytes.getInt(data, at + RecordFormat.TID);
            if (tid == lastTid && lastName != null) {
                continue;
            }
            String name = names.get(tid);
            if (name == null) {
                name = comms.comm(Bytes.getInt(data, at + RecordFormat.PID), tid);
                names.put(tid, name);
                b.names.add(new RecordBatch.Name(at, tid, name));
            }
            lastTid = tid;
            lastName = name;
        }
    }

    /** Reads the names of threads that have records in the rings the reader has not taken (it cannot take them now). */
    void peek(RingReader reader) {
        reader.peek(this::known);
    }

    /** Reads {@code tid}'s name now unless it is known (the thread is at its exit stop: it still has one). */
    void known(int pid, int tid) {
        if (!names.containsKey(tid)) {
            names.put(tid, comms.comm(pid, tid));
            pending.add(new RecordBatch.Name(0, tid, names.get(tid)));
        }
    }

    /** Names read by {@link #peek} or {@link #known}, or given by {@link #execed}, that go with the next batch. */
    private final List<RecordBatch.Name> pending = new ArrayList<>();

    /**
     * {@code tid}'s process exec'd (its name is the new program's now): the records of it not taken yet are
     * named {@code before}, unless a name was read already; then it is forgotten as {@link #forget} says.
     */
    void execed(int tid, String before, long[] heads) {
        if (before != null && !names.containsKey(tid)) {
            names.put(tid, before);
            pending.add(new RecordBatch.Name(0, tid, before));
        }
        forget(tid, heads);
    }

    /** {@code tid} is to be forgotten once the records up to the rings' heads now are taken. */
    void forget(int tid, long[] heads) {
        forgotten.add(new Forgotten(tid, heads));
    }

    /** Forgets the threads whose records have all been taken; says so in {@code b} (the next batch: may be null). */
    void settle(RingReader reader, RecordBatch b) {
        if (b != null) {
            for (RecordBatch.Name n : pending) {
                b.names.add(new RecordBatch.Name(b.length(), n.tid(), n.name()));
            }
            pending.clear();
        }
        for (Iterator<Forgotten> it = forgotten.iterator(); it.hasNext() && b != null; ) {
            Forgotten f = it.next();
            if (reader.taken(f.heads())) {
                it.remove();
                if (names.remove(f.tid()) != null) {
                    b.names.add(new RecordBatch.Name(b.length(), f.tid(), null));
                }
                if (lastTid == f.tid()) {
                    lastName = null;
                }
            }
        }
    }
}
