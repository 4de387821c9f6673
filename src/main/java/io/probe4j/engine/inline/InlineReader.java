package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.event.ProbeEvent;
import io.probe4j.sys.Clock;
import io.probe4j.sys.Niceness;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.locks.LockSupport;

/**
 * The consumer side of the inline engine, two threads. The reader only copies committed records out
 * of the rings into large batches ({@link RingReader#copy}: one memcpy per run of records, then the
 * room is given back), so the rings empty at memory speed whatever comes after; it names the threads
 * it sees ({@link ThreadNames}) and places their probes ({@link SiteTable#take}) as they are when it takes
 * their records, and sleeps a millisecond when the rings are empty. The engine makes it drain at the
 * stops where names and places are about to change: a thread's exit, and an exec ({@link #execed}). The
 * decoding thread takes the batches, and the trap engine's events of the same session ({@link #offer}), in the order
 * they came, and hands them to a {@link RecordStage}: decoded and printed in time order, or written to a
 * recording as they are. Between the two lies the {@link Backlog}, bounded ({@link Backlog#LIMIT}):
 * beyond it the reader stops draining and the writers count lost records, reported by {@link #finish()}
 * as the kernel reports its ring buffer's overruns. A stage that only writes the records somewhere (a
 * recording, {@link RecordStage#direct()}) gets them on the reader's thread instead, one batch at a time as
 * they leave the rings: no hand-over, no backlog (the rings, larger for a recording, are its backlog), no
 * second thread to schedule on a busy machine; the decoding thread is left the trap engine's events, the clock
 * and the release points.
 *
 * <p>Time order: the stage may release events up to the time by which the reader had handed over
 * every record committed before, less a window for records reserved before and committed after a pass
 * ({@link #RECORD_WINDOW_NANOS}), or, when probes of the session run on the trap engine, for their events,
 * which come after the thread resumed ({@link #TRAP_WINDOW_NANOS}). Events are held that long (as
 * {@code ProbeEvent}s: at 10 M hits/s, 10 ms of them are some 100,000).
 */
public final class InlineReader implements AutoCloseable {
    /** How long events are held for records that were committed late. */
    public static final long RECORD_WINDOW_NANOS = 10_000_000L;
    /** How long events are held for the trap engine's events, when it has probes in the session. */
    public static final long TRAP_WINDOW_NANOS = 100_000_000L;
    private static final long IDLE_NANOS = 1_000_000;
    /** A batch goes to the decoding thread when it is nearly full or this old. */
    private static final long HAND_OVER_NANOS = 10_000_000;
    private static final long RELEASE_NANOS = 10_000_000;
    /** What a ring holds (or an eighth of it) before the reader hands a direct stage its records: worth a system call. */
    private static final long RUN_BYTES = 256 << 10;
    private static final long FLUSH_NANOS = 100_000_000;

    private final RingReader reader;
    private final Queue<Integer> renamed;
    private final TscClock clock;
    private final RecordStage stage;
    private final Backlog backlog;
    private final List<String> events;
    private final ThreadNames names;
    private final ExecSites sites;
    private final SiteTable placed = new SiteTable();
    private final Thread readerThread;
    private final Thread decoderThread;
    /** The stage takes the records on the reader's thread ({@link RecordStage#direct()}). */
    private final boolean direct;
    /** Since when (System.nanoTime) records have waited in the rings for such a stage. */
    private long waitingSince;
    /** The one batch such a stage is handed, again and again. */
    private final RecordBatch onHand;
    private RecordBatch current;
    private boolean starved;
    /** Start of the last pass that took everything committed before it (CLOCK_MONOTONIC ns). */
    private long lastComplete = Long.MIN_VALUE;
    /** {@link #lastComplete} once no record of that pass waits in the reader's hands. */
    private volatile long handedOver = Long.MIN_VALUE;
    private volatile boolean stop;
    private volatile boolean readerDone;
    private volatile RuntimeException failure;
    private volatile long window = RECORD_WINDOW_NANOS;
    private final java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * For a trace: the engine's probes (by event id), the clock the stage decodes with; the engine says where
     * the probes are in each process and calls back at each thread's exit ({@code drainNow}) and each exec
     * ({@code execNow}).
     */
    public InlineReader(RingMapping rings, List<InlineProbe> probes, InlineProbes engine, TscClock clock, RecordStage stage) {
        this(new RingReader(rings), probes.stream().map(InlineProbe::toString).toList(), engine.renamed, engine::comm, engine::site,
                clock, stage, new Backlog());
        engine.drainNow = this::drainAtExit;
        engine.execNow = this::execed;
    }

    /**
     * Rings without an engine (tests, benchmarks): {@code events} names each event id; the backlog holds at most
     * {@code backlogBytes} in batches of {@code batchBytes} (at least twice the longest record).
     */
    public InlineReader(RingMapping rings, List<String> events, TscClock clock, RecordStage stage, long backlogBytes, int batchBytes) {
        this(rings, events, (pid, event) -> 0, clock, stage, backlogBytes, batchBytes);
    }

    /** As above, with the probes' addresses from {@code sites}. */
    public InlineReader(RingMapping rings, List<String> events, EventDecoder.Sites sites, TscClock clock, RecordStage stage,
            long backlogBytes, int batchBytes) {
        this(new RingReader(rings), events, new java.util.concurrent.ConcurrentLinkedQueue<>(), EventDecoder::comm, sites, clock, stage,
                new Backlog(backlogBytes, Math.max(batchBytes, 2 * (RecordFormat.MAX_LENGTH + 8))));
    }

    private InlineReader(RingReader reader, List<String> events, Queue<Integer> renamed, ThreadNames.Comms comms, EventDecoder.Sites sites,
            TscClock clock, RecordStage stage, Backlog backlog) {
        this.reader = reader;
        this.events = List.copyOf(events);
        this.renamed = renamed;
        this.names = new ThreadNames(comms);
        this.sites = new ExecSites(sites);
        this.clock = clock;
        this.stage = stage;
        this.direct = stage.direct();
        this.backlog = backlog;
        this.onHand = direct ? new RecordBatch(backlog.batchBytes()) : null;
        // a recording's reader only copies (tens of ns a record) and is what the user asked for: it keeps
        // the program's priority; decoding and formatting yield to the program
        Runnable reading = direct ? this::read : inBackground(this::read);
        this.readerThread = Thread.ofPlatform().daemon().name("probe4j-inline-reader").unstarted(reading);
        this.decoderThread = Thread.ofPlatform().daemon().name("probe4j-inline-decoder").unstarted(inBackground(this::decode));
    }

    /**
     * {@code work} at a lower priority than the creating thread's (the program's, see {@link Niceness}):
     * the traced program, not its reader, gets the CPU when they compete; a reader that falls behind
     * costs lost records, counted, instead of the program's time.
     */
    private static Runnable inBackground(Runnable work) {
        int base = Niceness.current();
        return () -> {
            Niceness.background(base);
            work.run();
        };
    }

    /**
     * The rings of a trace: one per CPU, each as large as 64 MiB shared among them gives, between 4 and 16
     * MiB (16 MiB hold about 350,000 records of two arguments: 35 ms of a hot probe at 10 M hits/s, time
     * for the reader to be scheduled again on a busy machine).
     */
    public static RingLayout layout(int cpus, int events) {
        return layout(cpus, events, 64L << 20, 16L << 20);
    }

    /**
     * The rings of a recording ({@code --format binary}): 256 MiB shared, between 4 and 64 MiB each (64 MiB
     * hold 130 ms of a hot probe at 10 M hits/s). They are its backlog: the reader writes on its own thread
     * what it takes, and a busy machine may keep it off the CPU for tens of milliseconds.
     */
    public static RingLayout recordingLayout(int cpus, int events) {
        return layout(cpus, events, 256L << 20, 64L << 20);
    }

    private static RingLayout layout(int cpus, int events, long shared, long most) {
        RingLayout one = RingLayout.forCpus(cpus, 4L << 20, events);
        long each = Long.highestOneBit(Math.clamp(shared / one.rings(), 4L << 20, most));
        return new RingLayout(one.rings(), each, events);
    }

    /** What the decoder knows of each probe's event id (the address printed comes with the records, per process). */
    public static EventDecoder.EventSpec[] specs(List<InlineProbe> probes) {
        EventDecoder.EventSpec[] specs = new EventDecoder.EventSpec[Math.max(1, probes.size())];
        for (InlineProbe p : probes) {
            specs[p.event()] = new EventDecoder.EventSpec(p.layout(), p.definition().group(), p.definition().event(), 0);
        }
        return specs;
    }

    public InlineReader start() {
        readerThread.start();
        decoderThread.start();
        return this;
    }

    /** Probes of the session run on the trap engine too: events are held for theirs ({@link #TRAP_WINDOW_NANOS}). */
    public InlineReader withTrapEngine() {
        window = TRAP_WINDOW_NANOS;
        return this;
    }

    /** An event of the trap engine, to go through the stage in the order it came with the records. */
    public void offer(ProbeEvent event) {
        backlog.put(event);
    }

    /** Records of event id {@code event} a full ring dropped so far (any thread, while the rings are mapped). */
    public long lost(int event) {
        return reader.lost(event);
    }

    private void read() {
        try {
            while (!stop) {
                if (drain(false, true) == 0) {
                    LockSupport.parkNanos(IDLE_NANOS);
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /**
     * One pass over the rings: copies what each holds into the current batch (a new one when it is
     * nearly full, none when the backlog is at its bound); returns how many records. {@code all}: hands
     * over what it holds at the end.
     */
    private synchronized int drain(boolean all, boolean regular) {
        long passStart = Clock.monotonicNanos();
        for (Integer tid; (tid = renamed.poll()) != null; ) {
            names.forget(tid, reader.heads());
        }
        if (direct) {
            return drainToStage(passStart, regular);
        }
        starved = false;
        int n = 0;
        for (int ring = 0; ring < reader.rings(); ring++) {
            for (int round = 0; round < 4; round++) { // a ring holds at most twice what one copy takes
                RecordBatch b = batch();
                if (b == null) {
                    starved = true;
                    break;
                }
                int from = b.length;
                int got = reader.copy(ring, b);
                if (got > 0 && from == 0) {
                    b.since = System.nanoTime();
                }
                names.name(b, from);
                placed.take(b, from, sites);
                n += got;
                if (b.room() < RecordFormat.MAX_LENGTH + 8) {
                    handOver(lastComplete);
                } else if (got == 0) {
                    break;
                }
            }
        }
        if (!starved) {
            lastComplete = passStart;
        }
        if (current != null && current.length > 0 && (all || System.nanoTime() - current.since >= HAND_OVER_NANOS)) {
            handOver(lastComplete);
        }
        if (current == null || current.length == 0) {
            handedOver = lastComplete;
        }
        return n;
    }

    /**
     * One pass for a stage that takes the records on the reader's thread ({@link RecordStage#direct()}): the
     * records of each ring are copied into the one batch (their room given back at once) and handed to the
     * stage with the names and sites that go with them, a batch at a time. The rings are the backlog here: a
     * {@code regular} pass (the reader's own) leaves the records in them until a ring holds {@link #RUN_BYTES}
     * or the oldest waited {@link #HAND_OVER_NANOS}, so that a trickle of records is not written a few at a time;
     * then it takes every ring, so that each pass that takes anything is complete.
     */
    private int drainToStage(long passStart, boolean regular) {
        if (regular) {
            boolean pending = false;
            boolean due = false;
            long[] heads = reader.heads();
            for (int ring = 0; ring < heads.length; ring++) {
                long held = heads[ring] - reader.tail(ring);
                pending |= held != 0;
                due |= held >= Math.min(RUN_BYTES, reader.dataSize() / 8);
            }
            long now = System.nanoTime();
            if (!pending) {
                waitingSince = now;
            }
            if (pending && !due && now - waitingSince < HAND_OVER_NANOS) {
                return 0;
            }
        }
        waitingSince = System.nanoTime();
        int n = 0;
        for (int ring = 0; ring < reader.rings(); ring++) {
            for (int round = 0, got = 1; round < 8 && got > 0; round++, n += got) {
                names.settle(reader, onHand);
                sites.settle(reader);
                got = reader.copy(ring, onHand); // the room goes back now, before the write
                names.name(onHand, 0);
                placed.take(onHand, 0, sites);
                if (onHand.length > 0) {
                    try {
                        stage.records(onHand);
                    } finally {
                        onHand.clear();
                    }
                }
            }
        }
        lastComplete = passStart;
        handedOver = passStart;
        return n;
    }

    /** The batch being filled: a new one if there is none (null when the backlog is at its bound). */
    private RecordBatch batch() {
        if (current == null) {
            current = backlog.batch();
        }
        if (current != null) {
            names.settle(reader, current);
            sites.settle(reader);
        }
        return current;
    }

    private void handOver(long through) {
        current.through = through;
        backlog.put(current);
        current = null;
    }

    /**
     * At a thread's exit stop (the engine's tracer thread): its records leave the rings while its name
     * can still be read; when the backlog is at its bound they cannot, so the names of the threads whose
     * records stay in the rings are read instead. The exiting thread's own name is read in any case: a
     * record of another thread reserved but not yet committed (its writer preempted mid-record) stops the
     * copy before the exiting thread's last records, which would otherwise be taken nameless.
     */
    private synchronized void drainAtExit(int pid, int tid) {
        drain(false, false);
        if (starved) {
            names.peek(reader);
        }
        names.known(pid, tid);
    }

    /**
     * At the exec stop of process {@code pid} (the engine's tracer thread), before the engine moves its probes
     * for the new image: the records in the rings are taken now, its threads {@code tids} named as before the
     * exec ({@code before}, unless their names were read already; null: not known) and its probes placed
     * where they were. Should the backlog be at its bound, the records that stay get the same when taken.
     */
    synchronized void execed(int pid, List<Integer> tids, String before) {
        long[] heads = reader.heads();
        for (int tid : tids) {
            names.execed(tid, before, heads);
        }
        sites.execed(pid, reader.events(), heads);
        drain(false, false);
    }

    private void decode() {
        long mark = Long.MIN_VALUE;
        long lastRelease = System.nanoTime();
        long lastFlush = lastRelease;
        try {
            while (true) {
                long handed = handedOver; // before looking: what the reader had handed over by then is queued
                boolean done = readerDone;
                Object item = backlog.take(RELEASE_NANOS);
                if (direct) {
                    mark = Math.max(mark, handed); // no batch comes this way: what the reader took is with the stage
                }
                switch (item) {
                    case RecordBatch b -> {
                        stage.records(b);
                        mark = Math.max(mark, b.through);
                        backlog.recycle(b);
                    }
                    case ProbeEvent e -> stage.event(e);
                    case null -> {
                        mark = Math.max(mark, handed);
                        if (done) {
                            return;
                        }
                    }
                    default -> throw new IllegalStateException("not an item of the backlog: " + item);
                }
                long now = System.nanoTime();
                if (now - lastRelease >= RELEASE_NANOS) {
                    lastRelease = now;
                    if (clock.recalibrate()) {
                        stage.clock(clock);
                    }
                    if (mark != Long.MIN_VALUE) {
                        stage.release(mark - window);
                    }
                }
                if (now - lastFlush >= FLUSH_NANOS) {
                    lastFlush = now;
                    stage.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /**
     * Stops after the rings are empty and every record went through the stage, ends the stage with what
     * was lost; returns the lines that report lost records (none: empty). Once.
     */
    public List<String> finish() {
        if (finished.getAndSet(true)) {
            return List.of();
        }
        stop = true;
        join(readerThread);
        while (failure == null && decoderThread.isAlive() && (drain(true, false) > 0 || starved)) {
            if (starved) {
                LockSupport.parkNanos(IDLE_NANOS); // the decoding thread frees batches
            }
        }
        readerDone = true;
        join(decoderThread);
        if (failure != null) {
            throw failure;
        }
        long[] lost = new long[reader.events()];
        for (int e = 0; e < lost.length; e++) {
            lost[e] = reader.lost(e);
        }
        Losses losses = new Losses(lost, reader.abandoned(), reader.resyncs());
        stage.end(losses);
        return losses.lines(events);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        finish();
    }
}
