/**
 * The ptrace engine's process control.
 *
 * <p>{@link io.probe4j.engine.ptrace.TraceSession} is the entry point: it launches a command or
 * attaches to a process and follows every thread, fork, vfork and exec. One thread per session,
 * {@code probe4j-tracer}, makes every ptrace request (the kernel only accepts them from the thread
 * that attached); other threads hand it work through a queue, and wake it out of {@code waitpid}
 * by signalling a traced helper process (the doorbell). It polls for stops a short while before it
sleeps ({@link io.probe4j.engine.ptrace.StopWait}), and keeps every stop short: work that needs no
stopped thread runs right after the resume ({@link io.probe4j.engine.ptrace.StoppedThread#afterResume}).
Signals, group-stops ({@code PTRACE_LISTEN})
 * and exit statuses behave as without tracing; whatever ends the session, every process is
 * detached and left running.
 *
 * <p>The breakpoint layer plugs in through {@link io.probe4j.engine.ptrace.TraceHooks}: traps that it
 * may consume, new processes and execs (which it may let go: {@link io.probe4j.engine.ptrace.StoppedProcess#letGo}),
 * ended threads, and a last call before detaching, each with stopped threads
 * whose registers and memory it may read and write ({@link io.probe4j.engine.ptrace.StoppedThread},
 * {@link io.probe4j.engine.ptrace.StoppedProcess}).
 */
package io.probe4j.engine.ptrace;
