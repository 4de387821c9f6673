package io.probe4j.engine.trap;

/**
 * A pending return of a probed function in one thread (the kernel's {@code struct return_instance}).
 *
 * @param point         the probe point at the function's entry
 * @param function      the run-time address of the entry probe
 * @param returnAddress the real return address, which the trampoline's address replaced on the stack
 * @param sp            the stack pointer at entry: where the return address is stored
 * @param chained       the function was entered by a tail call from a function already probed: its
 *                      slot held the trampoline, so it returns together with the instance below it
 */
record ReturnInstance(ProbePoint point, long function, long returnAddress, long sp, boolean chained) {
}
