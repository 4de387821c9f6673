package io.probe4j;

import io.probe4j.error.UserException;
import io.probe4j.arch.x86_64.ProbeSite;
import io.probe4j.arch.x86_64.X86InstructionBoundaries;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ObjectFinder;
import io.probe4j.elf.TargetResolver;
import io.probe4j.engine.inline.InlineProbe;
import io.probe4j.engine.ptrace.LaunchSpec;
import io.probe4j.engine.ptrace.ProcessGoneException;
import io.probe4j.engine.trap.ProbePoint;
import io.probe4j.engine.trap.Semaphores;
import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.TraceSession;
import io.probe4j.engine.trap.Uprobes;
import io.probe4j.spec.ProbeTarget;
import io.probe4j.sys.Environment;
import io.probe4j.sys.Spawn;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.OptionalLong;

/**
 * A tracing session over one program and every process it starts (threads, forks, execs), with probes
 * implemented by breakpoints through ptrace (probe4j's own uprobes) or, for the probes that only record
 * an event, by jumps to trampolines that record without stopping the program ({@link #engine(Engine)}).
 * Probes registered before {@link #start} are in place before the program's first instruction; probes
 * may also be registered and unregistered while it runs.
 *
 * <pre>{@code
 * try (Tracer tracer = Tracer.launch("/usr/bin/prog", "arg")) {
 *     tracer.register(ProbeInfo.symbol(Path.of("/usr/bin/prog"), "add")
 *             .preHandler(ctx -> System.out.println("add(" + ctx.register("di") + ", " + ctx.register("si") + ")"))
 *             .build());
 *     int status = tracer.run();   // the program's exit status
 * }
 * }</pre>
 *
 * <pre>{@code
 * ProbeDefinition d = (ProbeDefinition) Parser.extended().parseLine("p:add /usr/bin/prog:add a=%di:s32 b=%si:s32").orElseThrow();
 * try (Tracer tracer = Tracer.launch("/usr/bin/prog", "arg").engine(Engine.INLINE)) {
 *     Probe p = tracer.register(EventProbes.of(d, EventSink.of(e -> System.out.println(e.args())), ""));
 *     tracer.start();
 *     System.err.println(p.engine() + " " + p.whyNotInline().orElse(""));   // INLINE, or TRAP and why
 *     int status = tracer.waitFor();
 * }
 * }</pre>
 *
 * <p>However the session ends — the program's end, {@link #close}, Ctrl-C or SIGTERM of the JVM — every
 * breakpoint is removed, hijacked return addresses are restored and the probe4j mapping is unmapped, so a
 * process that is still running goes on unharmed; every inline jump gets the program's bytes back (its
 * trampolines and rings stay mapped, unused), and the inline probes' last events reach their sinks
 * before {@link #waitFor} or {@link #close} returns.
 *
 * <p>With inline probes, the sinks get the events of the session's definitions ({@link EventProbes}) by
 * timestamp, whichever engine and CPU produced them, as {@code probe4j trace} prints them; records the
 * inline engine dropped are counted ({@link #lostRecords()}, {@link Probe#lostRecords()},
 * {@link #onLostRecords}).
 */
public final class Tracer implements AutoCloseable {
    private final LaunchSpec launch;
    private final int attachPid;
    private final Uprobes uprobes;
    private final PrintStream diagnostics;
    private final TargetResolver resolver = new TargetResolver(ObjectFinder.system(), X86InstructionBoundaries.INSTANCE, false);
    private final Map<String, ProbePoint> points = new HashMap<>();
    private final Set<Probe> probes = new LinkedHashSet<>();
    private final Map<String, FileId> files = new HashMap<>();
    private final Deliveries deliveries;
    private Engine engine = Engine.TRAP;
    /** Whether every probe's engine is decided (false before the start after a change of the probes). */
    private volatile boolean planned;
    /** The addresses patched with the inline engine's jump in this session ({@code file:offset}). */
    private final Set<String> inlineSites = new HashSet<>();
    private volatile InlineRun inline;
    private TraceSession session;

    private Tracer(LaunchSpec launch, int attachPid, PrintStream diagnostics) {
        this.launch = launch;
        this.attachPid = attachPid;
        this.diagnostics = diagnostics;
        this.deliveries = new Deliveries(diagnostics);
        this.uprobes = new Uprobes(msg -> diagnostics.println("probe4j: " + msg));
    }

    /**
     * A tracer that will start {@code command} (a path, or a name looked up in {@code $PATH}) with this
     * JVM's environment, working directory and standard streams.
     *
     * @param command the program and its arguments
     * @return the tracer, not started yet
     */
    public static Tracer launch(String... command) {
        return launch(Launch.of(command));
    }

    /**
     * A tracer that will start the program as {@code launch} says (environment, directory, standard streams).
     *
     * @param launch the program, and what it gets
     * @return the tracer, not started yet
     */
    public static Tracer launch(Launch launch) {
        return new Tracer(spec(launch), 0, System.err);
    }

    /** The engine's form of a launch: what is not given is inherited (the environment byte for byte). */
    private static LaunchSpec spec(Launch launch) {
        Environment env = launch.environment().map(Environment::of).orElseGet(Environment::inherited);
        Spawn.Stdio stdio = new Spawn.Stdio(path(launch.stdin()), path(launch.stdout()), path(launch.stderr()));
        return new LaunchSpec(launch.command(), env, launch.directory().orElse(null), stdio);
    }

    private static String path(Optional<Path> file) {
        return file.map(f -> f.toAbsolutePath().toString()).orElse(null);
    }

    /**
     * A tracer that will attach to a running process and all its threads.
     *
     * @param pid the process
     * @return the tracer, not attached yet
     */
    public static Tracer attach(int pid) {
        return new Tracer(null, pid, System.err);
    }

    /**
     * Adds a probe. Its place is checked now: the symbol must exist, the offset must start an instruction
     * (the x86-64 decoder walks the function), and the instruction must be one the kernel would probe.
     *
     * @param info the place and the handlers
     * @return the registered probe
     * @throws UserException saying what is wrong with the place
     * @throws IllegalStateException when called from a handler
     */
    public synchronized Probe register(ProbeInfo info) {
        refuseFromHandler("register");
        Path file = info.file();
        ProbeTarget.Location loc = info.symbol().isPresent()
                ? new ProbeTarget.Location.Symbol(info.symbol().get(), info.offset())
                : new ProbeTarget.Location.FileOffset(info.fileOffset().getAsLong());
        ProbeTarget t = resolver.resolve(new ProbeTarget(file.toString(), loc, OptionalLong.empty()));
        long offset = ((ProbeTarget.Location.FileOffset) t.location()).offset();
        FileId id = fileId(t.path());
        Path real = id.real();
        long inode = id.inode();
        ElfFile elf = resolver.open(real);
        String symbol = checkInstruction(elf, real, offset);
        String key = real + ":" + offset;
        if (inlineSites.contains(key)) {
            throw new UserException(String.format("%s: file offset 0x%x holds an inline probe's jump: a probe there can only "
                    + "be registered before the tracer starts", real, offset));
        }
        ProbePoint point = points.get(key);
        boolean fresh = point == null;
        long refCtr = info.refCtrOffset().isPresent() ? Semaphores.checkOffset(elf, info.refCtrOffset().getAsLong()) : -1;
        if (fresh) {
            point = new ProbePoint(real, inode, offset, refCtr);
            points.put(key, point);
        } else if (point.refCtrOffset() != refCtr) {
            throw new UserException(String.format("%s: another probe at file offset 0x%x has a different reference "
                    + "counter (semaphore) offset", real, offset));
        }
        Probe p = new Probe(this, info, point, symbol);
        addConsumer(point, p);
        probes.add(p);
        if (session == null) {
            planned = false;
        } else {
            p.placed(Engine.TRAP, engine == Engine.TRAP ? EnginePlan.TRACER_TRAPS : EnginePlan.AFTER_START);
            if (inline != null && EventRecorder.of(info).isPresent()) {
                inline.withTrapEngine(); // its events join the inline ones' time order
            }
        }
        if (fresh) {
            everywhere(point, uprobes::add);
        }
        return p;
    }

    /**
     * Puts the change {@code change} ({@code Uprobes.add} or {@code remove}) of {@code point} into effect:
     * in the engine's own state (a null process), then in every traced process, each stopped meanwhile.
     */
    private void everywhere(ProbePoint point, BiConsumer<ProbePoint, StoppedProcess> change) {
        if (session == null) {
            change.accept(point, null);
            return;
        }
        session.call(() -> {
            change.accept(point, null);
            return null;
        });
        for (int pid : session.processes()) {
            try {
                session.withStopped(pid, sp -> {
                    change.accept(point, sp);
                    return null;
                });
            } catch (ProcessGoneException gone) {
                // the process ended meanwhile
            }
        }
    }

    /**
     * Whether child processes (fork, vfork, clone without a shared address space) are probed too. By
     * default they are, as the kernel's uprobes apply to every process mapping the file. With
     * {@code false}, a forked child has every breakpoint and hijacked return address taken out of its
     * copy of the memory and is detached: it runs untraced, as if it had never been probed. A vfork
     * child shares its parent's memory (breakpoints included) until it execs: it runs through them
     * without its handlers being called and is detached at its exec. Set before {@link #start}.
     *
     * @param follow whether children are probed
     * @return this tracer
     */
    public synchronized Tracer followChildren(boolean follow) {
        uprobes.followChildren(follow);
        return this;
    }

    /**
     * Chooses the engine for the probes registered before {@link #start}. With {@link Engine#INLINE},
     * each probe that only records a definition's event ({@link EventProbes}) runs inline when the inline
     * engine can take it: its hits no longer stop the thread, and its sink gets the events on a thread
     * of this JVM shortly after, in time order with the session's other events of definitions (about
     * 10 ms late, 100 ms when some definition's probe runs on the trap engine). When that thread falls
     * behind, a full ring drops records: {@link #lostRecords()} and {@link #onLostRecords} tell. Every
     * other probe, and each probe registered after the start, runs on the trap engine in the same
     * session, as with {@link Engine#TRAP} (the default): {@link Probe#engine()} and
     * {@link Probe#whyNotInline()} say which and why, and at the start a line on standard error names
     * each definition's probe that could not run inline, with the reason.
     *
     * @param engine the engine probes get where they can
     * @return this tracer
     * @throws IllegalStateException after {@link #start}
     */
    public synchronized Tracer engine(Engine engine) {
        if (session != null) {
            throw new IllegalStateException("the engine is chosen before the tracer starts");
        }
        this.engine = Objects.requireNonNull(engine, "engine");
        planned = false;
        return this;
    }

    /** {@return the engine chosen for this tracer's probes (some may still run on the trap engine)} */
    public synchronized Engine engine() {
        return engine;
    }

    /** Decides every probe's engine, if a change of the probes left it open (before the start). */
    void ensurePlanned() {
        if (!planned) {
            synchronized (this) {
                if (!planned) {
                    plan();
                }
            }
        }
    }

    /** Places every registered probe; returns the inline ones with the inline engine's probe each. */
    private Map<Probe, InlineProbe> plan() {
        Map<Probe, InlineProbe> inlined = EnginePlan.place(engine, probes);
        planned = true;
        return inlined;
    }

    /** {@return the probes registered now} */
    public synchronized List<Probe> probes() {
        return List.copyOf(probes);
    }

    synchronized void unregister(Probe p) {
        refuseFromHandler("unregister");
        if (!p.isRegistered()) {
            return;
        }
        p.markUnregistered();
        probes.remove(p);
        ProbePoint point = p.point();
        removeConsumer(point, p);
        if (session == null) {
            planned = false;
        }
        if (!point.consumers().isEmpty()) {
            return;
        }
        String key = point.file() + ":" + point.offset();
        points.remove(key);
        if (inlineSites.remove(key)) { // the last probe at an inline jump: the program's bytes come back
            InlineRun run = inline;
            if (run != null) {
                try {
                    everywhere(point, run::remove);
                } catch (IllegalStateException ended) {
                    // the session has ended: every byte was put back at its end
                }
            }
            return;
        }
        everywhere(point, uprobes::remove);
    }

    /**
     * Starts the program (or attaches to the process) with every probe registered so far in place.
     *
     * @return this tracer
     * @throws UserException when the program cannot be started or the process cannot be traced
     */
    public synchronized Tracer start() {
        if (session != null) {
            throw new IllegalStateException("already started");
        }
        startInline();
        try {
            TraceHooks hooks = inline != null ? inline.hooks() : uprobes;
            session = launch != null ? TraceSession.launch(launch, hooks) : TraceSession.attach(attachPid, hooks);
        } catch (RuntimeException | Error e) {
            if (inline != null) { // the trap engine takes the probes back, should the tracer be started again
                deliveries.orderWith(null);
                inline.finish();
                inline = null;
                inlineSites.forEach(key -> uprobes.add(points.get(key), null));
                inlineSites.clear();
            }
            throw e;
        }
        return this;
    }

    /**
     * Decides the engines for good; the inline probes' points leave the trap engine for the inline one.
     * One line per definition's probe that does not run inline, as the command line prints it.
     */
    private void startInline() {
        Map<Probe, InlineProbe> inlined = plan();
        if (engine == Engine.TRAP) {
            return;
        }
        EnginePlan.fallbacks(probes).forEach(line -> diagnostics.println("probe4j: " + line));
        if (inlined.isEmpty()) {
            return;
        }
        boolean trapEvents = probes.stream().anyMatch(p -> p.engine() == Engine.TRAP && EventRecorder.of(p.info()).isPresent());
        inline = new InlineRun(deliveries, inlined, uprobes, trapEvents, msg -> diagnostics.println("probe4j: " + msg));
        deliveries.orderWith(inline);
        for (Probe p : inlined.keySet()) {
            String key = p.file() + ":" + p.fileOffset();
            if (inlineSites.add(key)) {
                uprobes.remove(p.point(), null);
            }
        }
    }

    /** {@return the launched or attached process id (after {@link #start})} */
    public int pid() {
        return requireStarted().pid();
    }

    /**
     * Waits until the program ends (or the session is detached) and returns its exit status as a shell
     * shows it: the exit code, 128+N for a death by signal N, 0 after a detach.
     *
     * @return the exit status
     * @throws InterruptedException when this thread is interrupted while it waits
     */
    public int waitFor() throws InterruptedException {
        TraceSession s = requireStarted();
        try {
            return s.waitFor().shellStatus();
        } finally {
            finishInline();
        }
    }

    /**
     * {@link #start} then {@link #waitFor}.
     *
     * @return the program's exit status, as {@link #waitFor} gives it
     * @throws InterruptedException when this thread is interrupted while it waits
     */
    public int run() throws InterruptedException {
        start();
        return waitFor();
    }

    /** Takes every probe out and lets the processes run on untraced. */
    public void detach() {
        if (session != null) {
            try {
                session.detach();
            } finally {
                finishInline();
            }
        }
    }

    /** Once the session has ended: the inline probes' last events are delivered, lost ones reported. */
    private void finishInline() {
        InlineRun run;
        synchronized (this) {
            run = inline;
        }
        if (run != null) {
            run.finish();
        }
    }

    Deliveries deliveries() {
        return deliveries;
    }

    /**
     * Sets who is told when the inline engine drops records because a ring is full (probe4j's consumer
     * thread did not keep up), about every 100 ms while it happens and after the session's last events:
     * its calls add up to {@link #lostRecords()}. Standard error gets a line per probe that lost records
     * at the end in any case, as {@code probe4j trace} prints it.
     *
     * @param handler the handler, or {@code null} for none
     * @return this tracer
     */
    public Tracer onLostRecords(LostRecordsHandler handler) {
        deliveries.onLost(handler);
        return this;
    }

    /**
     * {@return the records of this session's inline probes that full rings dropped so far} The hits ran,
     * their events are missing; the trap engine loses none (the thread waits for the tracer). Kept after
     * the session has ended. Per probe: {@link Probe#lostRecords()}.
     */
    public long lostRecords() {
        InlineRun run = inline;
        return run == null ? 0 : run.lost();
    }

    /** {@link Probe#lostRecords()}. */
    long lostRecords(Probe p) {
        InlineRun run = inline;
        return run == null ? 0 : run.lost(p);
    }

    /** Detaches if the session still runs. */
    @Override
    public void close() {
        detach();
    }

    void reportFault(Probe p, ProbeContext ctx, Throwable t) {
        diagnostics.println("probe4j: a handler of " + p + " failed in thread " + ctx.tid() + ": " + t);
    }

    /** A handler runs on the tracer thread, which would wait for itself to stop the processes. */
    private void refuseFromHandler(String what) {
        if (uprobes.onTracerThread() || deliveries.inSink()) {
            throw new IllegalStateException(what + "() cannot be called from a probe handler or an inline probe's sink; use enable()/disable() there");
        }
    }

    private TraceSession requireStarted() {
        if (session == null) {
            throw new IllegalStateException("the tracer has not been started");
        }
        return session;
    }

    private static void addConsumer(ProbePoint point, Probe p) {
        point.addConsumer(p.consumer);
    }

    private static void removeConsumer(ProbePoint point, Probe p) {
        point.removeConsumer(p.consumer);
    }

    /** A probed file as the kernel knows it: symbolic links resolved, and its inode (how its mappings are recognised). */
    private record FileId(Path real, long inode) {
    }

    /** The file behind a path, looked up once per path (thousands of probes usually name one or two files). */
    private FileId fileId(String path) {
        FileId id = files.get(path);
        if (id == null) {
            try {
                Path real = Path.of(path).toRealPath();
                id = new FileId(real, ((Number) Files.getAttribute(real, "unix:ino")).longValue());
            } catch (IOException e) {
                throw new UserException("cannot probe " + path + ": " + e.getMessage());
            }
            files.put(path, id);
        }
        return id;
    }

    /** The function around the instruction (for {@link Probe#symbol}); refuses an instruction the kernel would not probe. */
    private static String checkInstruction(ElfFile elf, Path file, long offset) {
        long vaddr = ProbeSite.check(elf, file, offset);
        return elf.symbols().functionContaining(vaddr)
                .map(f -> vaddr == f.value() ? f.name() : f.name() + "+0x" + Long.toHexString(vaddr - f.value()))
                .orElse(null);
    }
}
