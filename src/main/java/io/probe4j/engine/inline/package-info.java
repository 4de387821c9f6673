/**
 * The inline engine: probes that never stop the program. A probed instruction is replaced by a 5-byte
 * {@code jmp} to a trampoline generated for it ({@code arch.x86_64}) that records the hit into a per-CPU
 * ring in shared memory (a memfd this JVM maps too: {@link io.probe4j.engine.inline.RingMapping},
 * read by {@link io.probe4j.engine.inline.InlineReader}), runs the displaced instructions and jumps back.
 * ptrace ({@code engine.ptrace}) is kept for the process's life events only: installing at launch, exec,
 * attach and library loads ({@link io.probe4j.engine.inline.InlineProbes}), fork and vfork children,
 * faults of a trampoline's loads (moved to the fault table's fixup, the signal suppressed), the C
 * runtime's exception unwinds (at the trap engine's stops there), thread exits, and the detach.
 * {@link io.probe4j.engine.inline.InlinePlanner} decides which probes it takes; the others run on the
 * trap engine in the same session, and the user is told which and why.
 *
 * <p>Patching happens with every thread of the process stopped, none inside the bytes replaced (such a
 * thread is single-stepped out first), in the order int3, the jump's tail, its first byte; each patch is
 * written first to the trap engine's breakpoint journal, from which the guardian restores the bytes if
 * this JVM is killed.
 *
 * <p>At detach every thread inside a trampoline is single-stepped out of it, every site gets its bytes
 * back and every return address that holds an exit trampoline gets the caller's address back. What was
 * mapped into the process stays mapped, inert: the trampoline areas ({@code [anon:probe4j-inline]},
 * {@code [anon:probe4j-inline-exits]}), the rings and the return stacks. Nothing jumps there any more,
 * but a thread interrupted inside a trampoline by a signal whose handler is still running would return
 * into it, as the kernel keeps its own uprobe trampoline page mapped for the life of a process.
 */
package io.probe4j.engine.inline;
