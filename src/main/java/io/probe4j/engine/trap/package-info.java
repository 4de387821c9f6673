/**
 * The trap engine: probe4j's own uprobes, as {@code kernel/events/uprobes.c} implements them, on top of
 * ptrace process control ({@link io.probe4j.engine.ptrace}).
 *
 * <p>{@link io.probe4j.engine.trap.Uprobes} is the mechanism, plugged into a session as its trace hooks:
 * a {@link io.probe4j.engine.trap.ProbePoint} (file, offset) gets an {@code int3}
 * ({@link io.probe4j.engine.trap.Breakpoint}) in every traced process that maps the file; at a hit the
 * consumers run ({@link io.probe4j.engine.trap.ProbeConsumer}, {@link io.probe4j.engine.trap.ProbeHit}),
 * then the displaced instruction is emulated or run out of line in an
 * {@link io.probe4j.engine.trap.XolArea}; return probes hijack the return address
 * ({@link io.probe4j.engine.trap.ReturnStack}). {@link io.probe4j.engine.trap.ProcessProbes} is what
 * probe4j put into one address space, and {@link io.probe4j.engine.trap.Disarm} takes it all out.
 */
package io.probe4j.engine.trap;
