package io.probe4j.engine.trap;

/**
 * What the engine calls at a probe point (the kernel's {@code struct uprobe_consumer}). All calls run
 * on the session's tracer thread with the hitting thread stopped; the {@link ProbeHit} is valid only
 * during the call. Exceptions are the consumer's business: the engine catches and reports them, and
 * the traced program goes on.
 */
public interface ProbeConsumer {
    /** Whether the consumer wants calls now; a disabled consumer keeps the breakpoint but is skipped. */
    boolean isEnabled();

    /** Whether {@link #post} must run after the displaced instruction (a second stop for out-of-line copies). */
    default boolean wantsPost() {
        return false;
    }

    /** Whether {@link #onReturn} must run when the probed function returns (makes it a return probe). */
    default boolean wantsReturn() {
        return false;
    }

    /** At the breakpoint, before the displaced instruction: the pre handler. */
    default void onEntry(ProbeHit hit) {
    }

    /** After the displaced instruction ran: post handlers and event callbacks. */
    default void post(ProbeHit hit) {
    }

    /** The function the probe is at returned: {@code ax} holds the return value. */
    default void onReturn(ProbeHit hit) {
    }
}
