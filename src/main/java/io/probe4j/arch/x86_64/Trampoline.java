package io.probe4j.arch.x86_64;

import java.util.List;
import java.util.function.Supplier;

/**
 * Generated code for one probe site: the trampoline itself, to be placed at {@code address}, and the
 * bytes that patch the site (a {@code jmp rel32} to it, then {@code int3} up to the end of the
 * displaced instructions).
 *
 * @param address  where {@code code} must live
 * @param code     the trampoline
 * @param site     the probe address, where {@code patch} goes
 * @param patch    the bytes to write over the site
 * @param original the bytes {@code patch} replaces, to put back
 * @param faults   every load of the trampoline that may fault, and where to resume when it does
 * @param listing  the code in objdump's syntax, for people: made when asked (formatting every line of
 *                 every trampoline is most of what generating a thousand of them costs)
 */
public record Trampoline(long address, byte[] code, long site, byte[] patch, byte[] original, List<FaultFixup> faults,
        Supplier<String> listing) {

    public Trampoline {
        faults = List.copyOf(faults);
    }

    /** A trampoline whose listing is already made (or not wanted: empty). */
    public Trampoline(long address, byte[] code, long site, byte[] patch, byte[] original, List<FaultFixup> faults,
            String listing) {
        this(address, code, site, patch, original, faults, () -> listing);
    }

    /**
     * A load that may fault and where the thread continues when it does, like an entry of the kernel's
     * exception tables: a fault at {@code load} stops the thread under ptrace before any handler of the
     * program runs; the tracer sets its instruction pointer to {@code fixup} and suppresses the signal.
     * The code at {@code fixup} records what the kernel records for a failed read (a zero, {@code (fault)}).
     */
    public record FaultFixup(long load, long fixup) {
    }

    /** The fixup for a fault at {@code ip}, or -1 when {@code ip} is not a load of this trampoline. */
    public long fixupFor(long ip) {
        for (FaultFixup f : faults) {
            if (f.load() == ip) {
                return f.fixup();
            }
        }
        return -1;
    }
}
