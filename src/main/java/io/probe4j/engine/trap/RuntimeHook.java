package io.probe4j.engine.trap;

/** Places in the C runtime that the engine watches with breakpoints of its own. */
enum RuntimeHook {
    /**
     * The dynamic loader's {@code _dl_debug_state} ({@code r_debug.r_brk}), called after every change to
     * the list of loaded objects ({@code dlopen}, {@code dlclose}, and once at start-up): new executable
     * mappings to install probes in. The other choice, stopping at every {@code mmap} system call exit,
     * costs two stops per system call of every thread ({@code PTRACE_SYSCALL} cannot select calls) and
     * most {@code mmap}s are for data; this costs one stop per library load.
     */
    RENDEZVOUS,
    /**
     * The start of an exception unwind ({@code _Unwind_RaiseException}, {@code _Unwind_Resume_or_Rethrow},
     * {@code _Unwind_ForcedUnwind}): the unwinder cannot find unwind information for the trampoline, so
     * the thread's hijacked return addresses get their real values back while it walks the stack.
     */
    UNWIND,
    /**
     * {@code __cxa_begin_catch}: the unwind ended in a handler; pending returns of frames that were
     * unwound are dropped (like after a {@code longjmp}) and the live ones hijacked again.
     */
    CATCH
}
