package io.probe4j.cli;

import io.probe4j.ProbeContext;
import io.probe4j.ProbeHandler;
import io.probe4j.ProbeInfo;
import io.probe4j.engine.trap.ProbeHit;
import io.probe4j.sys.Reg;
import io.probe4j.event.EventSink;
import io.probe4j.event.FetchContext;
import io.probe4j.event.FetchEvaluator;
import io.probe4j.event.MemoryFault;
import io.probe4j.event.ProbeEvent;
import io.probe4j.spec.ProbeDefinition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The definition language on the trap engine: each {@code uprobe_events} definition becomes a probe of
 * the public API ({@link ProbeInfo}) whose handler evaluates the fetch arguments as the kernel does
 * ({@link FetchEvaluator}) and hands a {@link ProbeEvent} to the sink, with what the kernel's trace line
 * shows: the thread's name and id, its CPU, the flags, CLOCK_MONOTONIC time.
 *
 * <p>The values are taken while the thread is stopped, exactly as the kernel takes them at the hit;
 * the event is formatted and written after the thread has resumed: each microsecond of a stop costs
 * the thread two or more, because its virtual CPU idles meanwhile. (Reading the name and CPU after
 * the resume too would save about 8 µs a hit here, but a thread that renames itself or moves right
 * after a hit would then show its next name or CPU: ThreadIdentityTest catches that.)
 */
public final class EventProbes {
    private EventProbes() {
    }

    /** A probe for {@code d} (already resolved to {@code file} and {@code offset}) sending events to {@code sink}. */
    public static ProbeInfo info(ProbeDefinition d, Path file, long offset, EventSink sink) {
        return info(d, file, offset, sink, e -> true);
    }

    /**
     * As {@link #info(ProbeDefinition, Path, long, EventSink)}, with the event's filter: a hit {@code keep}
     * refuses (an {@code io.probe4j.filter.EventFilter}, say) writes nothing. It is asked after the thread
     * has resumed, like the sink.
     */
    public static ProbeInfo info(ProbeDefinition d, Path file, long offset, EventSink sink, Predicate<ProbeEvent> keep) {
        ProbeHandler emit = ctx -> {
            ProbeEvent e = new ProbeEvent(ctx.comm(), ctx.pid(), ctx.tid(), ctx.cpu(), ProbeEvent.UPROBE_FLAGS, ctx.timestampNanos(),
                    d.group(), d.event(), site(ctx), FetchEvaluator.evaluate(d.args(), new Fetching(ctx.hit())));
            ctx.afterResume(() -> {
                if (keep.test(e)) {
                    sink.accept(e);
                }
            });
        };
        ProbeInfo.Builder b = ProbeInfo.address(file, offset);
        d.target().refCtrOffset().ifPresent(b::refCtrOffset);
        return (d.isReturn() ? b.returnHandler(emit) : b.preHandler(emit)).build();
    }

    private static ProbeEvent.Site site(ProbeContext ctx) {
        return ctx.isReturn() ? new ProbeEvent.Site.Return(ctx.entryAddress(), ctx.returnAddress())
                : new ProbeEvent.Site.Entry(ctx.address());
    }

    /** What fetch arguments see: the stopped thread's registers and its process's memory (the trap engine's hit). */
    record Fetching(ProbeHit hit) implements FetchContext {
        private static final int PAGE = 4096;

        @Override
        public long register(String name) {
            return hit.register(Reg.byName(name).orElseThrow(() -> new IllegalArgumentException("no register named '" + name + "'")));
        }

        @Override
        public byte[] read(long address, int length) throws MemoryFault {
            byte[] b = new byte[length];
            if (hit.memory().read(address, b) != length) {
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
                int got = hit.memory().read(address + have, b);
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
            return hit.comm().getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public long fileOffsetToAddress(long fileOffset) {
            return hit.address() - hit.fileOffset() + fileOffset;
        }
    }
}
