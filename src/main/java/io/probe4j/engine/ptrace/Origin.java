package io.probe4j.engine.ptrace;

/** Why a process (a new address space) came under tracing. */
public enum Origin {
    /** The launched command, stopped at its {@code exec}: nothing of it has run yet. */
    LAUNCHED,
    /** A running process the session attached to (all its threads are stopped). */
    ATTACHED,
    /** A child created by {@code fork} (a copy of the parent's memory, breakpoints included). */
    FORKED,
    /** A child created by {@code vfork}: it shares the parent's memory until it execs or exits. */
    VFORKED,
    /** A traced process replaced its program by {@code exec}: probes must be resolved again. */
    EXECED
}
