package io.probe4j.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * What fetch arguments see of a thread stopped at a hit, given as functions, so that every way of
 * stopping a thread (the public API's {@code ProbeContext}, the trap engine's own hit) reads arguments
 * the same way.
 *
 * @param registers a register by its {@code pt_regs} name
 * @param memory    reads as many bytes as it can at an address into a buffer, and says how many
 * @param threadName the thread's command name ({@code $comm})
 * @param loadBias  the probe's run-time address minus its file offset ({@code @+OFFSET} adds to it)
 */
public record StoppedThreadFetch(ToLongFunction<String> registers, PartialRead memory, Supplier<String> threadName, long loadBias)
        implements FetchContext {
    private static final int PAGE = 4096;

    /** A read that may stop short, at the first byte that cannot be read. */
    @FunctionalInterface
    public interface PartialRead {
        /**
         * Reads into {@code into} from {@code address}.
         *
         * @param address where to start
         * @param into    where the bytes go
         * @return how many bytes were read, from the start of {@code into}
         */
        int read(long address, byte[] into);
    }

    @Override
    public long register(String name) {
        return registers.applyAsLong(name);
    }

    @Override
    public byte[] read(long address, int length) throws MemoryFault {
        byte[] b = new byte[length];
        if (memory.read(address, b) != length) {
            throw new MemoryFault(address);
        }
        return b;
    }

    @Override
    public byte[] readString(long address, int maxLength) throws MemoryFault {
        byte[] out = new byte[maxLength];
        int have = 0;
        while (have < maxLength - 1) {
            int chunk = (int) Math.min(maxLength - 1 - have, PAGE - ((address + have) & (PAGE - 1)));
            byte[] b = new byte[chunk];
            int got = memory.read(address + have, b);
            if (got == 0) {
                if (have == 0) {
                    throw new MemoryFault(address);
                }
                break;
            }
            for (int i = 0; i < got; i++) {
                if (b[i] == 0) {
                    System.arraycopy(b, 0, out, have, i);
                    return Arrays.copyOf(out, have + i);
                }
            }
            System.arraycopy(b, 0, out, have, got);
            have += got;
            if (got < chunk) {
                break;
            }
        }
        return Arrays.copyOf(out, have);
    }

    @Override
    public byte[] comm() {
        return threadName.get().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public long fileOffsetToAddress(long fileOffset) {
        return loadBias + fileOffset;
    }
}
