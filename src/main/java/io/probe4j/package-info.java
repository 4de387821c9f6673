/**
 * probe4j's programming interface: probes on live processes, modelled on Linux's kprobe and uprobe
 * interfaces ({@code register_kprobe}, {@code uprobe_register} and their consumers) in Java.
 *
 * <p>A {@link io.probe4j.Tracer} launches a program (or attaches to a process) and follows its threads,
 * forks and execs. {@link io.probe4j.Tracer#register} takes a {@link io.probe4j.ProbeInfo} — a symbol or
 * a file offset of an ELF file, and handlers — and gives a {@link io.probe4j.Probe}, which can be
 * enabled, disabled and unregistered while the program runs. Handlers get a
 * {@link io.probe4j.ProbeContext}: the thread, its registers by their kernel names, its memory, and on
 * return the return value and the function's entry address; they may change registers and memory.
 *
 * <pre>{@code
 * Path prog = Path.of("/usr/local/bin/prog");
 * try (Tracer tracer = Tracer.launch(prog.toString(), "input.txt")) {
 *     tracer.register(ProbeInfo.symbol(prog, "check")
 *             .preHandler(ctx -> System.out.printf("%s[%d] check(%d)%n", ctx.comm(), ctx.tid(), ctx.register("di")))
 *             .returnHandler(ctx -> {
 *                 if (ctx.returnValue() == 0) {
 *                     ctx.setReturnValue(1); // the caller sees 1
 *                 }
 *             })
 *             .faultHandler((ctx, e) -> System.err.println("handler failed: " + e))
 *             .build());
 *     System.exit(tracer.run()); // the program's exit status
 * }
 * }</pre>
 *
 * <p>Under the hood (package {@code io.probe4j.engine.trap}) a probe is an {@code int3} in the traced
 * process; the displaced instruction is emulated or run out of line, so each hit costs one stop. A tracer
 * that chose {@link io.probe4j.Engine#INLINE} runs the probes that only record a definition's event
 * ({@link io.probe4j.EventProbes}) without stopping the program, where the jump fits: the trampoline
 * records the fetch arguments into shared memory and a thread of this JVM hands the events on, in time
 * order with the session's other events, counting the records a full ring dropped
 * ({@link io.probe4j.Probe#lostRecords()}, {@link io.probe4j.LostRecordsHandler});
 * {@link io.probe4j.Probe#engine()} says which engine each probe got, and why not inline.
 */
package io.probe4j;
