package io.probe4j;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What to probe and what to run there, as Linux's {@code struct kprobe} says before registration (or a
 * {@code uprobe_consumer} with its file and offset): a place — a symbol of a file plus an offset from
 * it, or an address given as a file offset — and the handlers. Built with {@link #symbol} or
 * {@link #address}:
 *
 * <pre>{@code
 * ProbeInfo info = ProbeInfo.symbol(Path.of("/usr/bin/prog"), "add")
 *         .preHandler(ctx -> System.out.println("add(" + ctx.register("di") + ", " + ctx.register("si") + ")"))
 *         .returnHandler(ctx -> System.out.println("= " + ctx.returnValue()))
 *         .build();
 * }</pre>
 *
 * @param file          the ELF file (program or library) the probe is in
 * @param symbol        the function symbol, or empty when {@code fileOffset} gives the place
 * @param offset        bytes from the symbol's start (0 for its first instruction); must start an instruction
 * @param fileOffset    the file offset of the probed instruction, when no symbol is given
 * @param preHandler    runs at the breakpoint, before the probed instruction
 * @param postHandler   runs after the probed instruction (costs a second stop when it runs out of line)
 * @param returnHandler runs when the function returns; having one makes the probe also a return probe
 *                      (it must then be at the function's first instruction, where {@code [sp]} is the
 *                      return address)
 * @param faultHandler  runs when a handler throws
 * @param eventCallback runs after the post handlers; replaceable at run time ({@link Probe#updateEventCallback})
 * @param enabled       whether the probe starts enabled
 * @param refCtrOffset  the file offset of the probe's USDT semaphore, a 16-bit counter in the file's writable
 *                      data that the program reads to know whether anyone probes it: while the probe is in
 *                      place it is incremented in every traced process that maps the file, as the kernel
 *                      does for {@code uprobe_register_refctr} ({@code PATH:OFFSET(REF_CTR)})
 */
public record ProbeInfo(Path file, Optional<String> symbol, long offset, OptionalLong fileOffset,
                        ProbeHandler preHandler, ProbeHandler postHandler, ProbeHandler returnHandler,
                        FaultHandler faultHandler, ProbeHandler eventCallback, boolean enabled,
                        OptionalLong refCtrOffset) {

    /**
     * Checks the place.
     *
     * @throws IllegalArgumentException unless exactly one of a symbol and a file offset is given, or for a
     *                                  negative offset
     */
    public ProbeInfo {
        Objects.requireNonNull(file, "file");
        if (symbol.isPresent() == fileOffset.isPresent()) {
            throw new IllegalArgumentException("a probe takes exactly one of a symbol and a file offset");
        }
        if (offset < 0 || fileOffset.orElse(0) < 0 || refCtrOffset.orElse(0) < 0) {
            throw new IllegalArgumentException("offsets are not negative");
        }
    }

    /**
     * {@return a builder of a probe at {@code symbol}}
     *
     * @param file   the ELF file (program or library)
     * @param symbol a function of its {@code .symtab} or {@code .dynsym}
     */
    public static Builder symbol(Path file, String symbol) {
        return new Builder(file, Optional.of(symbol), OptionalLong.empty());
    }

    /**
     * {@return a builder of a probe at the instruction at {@code fileOffset} of {@code file}}
     *
     * @param file       the ELF file (program or library)
     * @param fileOffset the instruction's offset in the file (what {@code uprobe_events} takes)
     */
    public static Builder address(Path file, long fileOffset) {
        return new Builder(file, Optional.empty(), OptionalLong.of(fileOffset));
    }

    /** {@return whether this is also a return probe} */
    public boolean isReturnProbe() {
        return returnHandler != null;
    }

    /** Builds a {@link ProbeInfo}; every handler is optional. */
    public static final class Builder {
        private final Path file;
        private final Optional<String> symbol;
        private final OptionalLong fileOffset;
        private long offset;
        private ProbeHandler pre, post, ret, event;
        private FaultHandler fault;
        private boolean enabled = true;
        private OptionalLong refCtrOffset = OptionalLong.empty();

        private Builder(Path file, Optional<String> symbol, OptionalLong fileOffset) {
            this.file = file;
            this.symbol = symbol;
            this.fileOffset = fileOffset;
        }

        /**
         * Places the probe inside the function.
         *
         * @param offset bytes from the symbol's start (an instruction must start at exactly that byte)
         * @return this builder
         * @throws IllegalStateException for a probe given by file offset
         */
        public Builder offset(long offset) {
            if (symbol.isEmpty()) {
                throw new IllegalStateException("offset() goes with a symbol; give the file offset to address() instead");
            }
            this.offset = offset;
            return this;
        }

        /**
         * Sets the pre handler.
         *
         * @param h runs at the breakpoint, before the probed instruction
         * @return this builder
         */
        public Builder preHandler(ProbeHandler h) {
            this.pre = h;
            return this;
        }

        /**
         * Sets the post handler.
         *
         * @param h runs after the probed instruction
         * @return this builder
         */
        public Builder postHandler(ProbeHandler h) {
            this.post = h;
            return this;
        }

        /**
         * Sets the return handler.
         *
         * @param h runs when the function returns (the probe must be at its first instruction)
         * @return this builder
         */
        public Builder returnHandler(ProbeHandler h) {
            this.ret = h;
            return this;
        }

        /**
         * Sets the fault handler.
         *
         * @param h runs when a handler throws
         * @return this builder
         */
        public Builder faultHandler(FaultHandler h) {
            this.fault = h;
            return this;
        }

        /**
         * Sets the event callback.
         *
         * @param h runs after the post handlers; replaceable later ({@link Probe#updateEventCallback})
         * @return this builder
         */
        public Builder eventCallback(ProbeHandler h) {
            this.event = h;
            return this;
        }

        /**
         * Sets whether the probe starts enabled.
         *
         * @param enabled whether the probe starts enabled (default: yes)
         * @return this builder
         */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /**
         * The file offset of the probe's USDT semaphore (reference counter): held incremented in every
         * traced process mapping the file while the probe is in place.
         *
         * @param refCtrOffset the semaphore's offset in the file
         * @return this builder
         */
        public Builder refCtrOffset(long refCtrOffset) {
            this.refCtrOffset = OptionalLong.of(refCtrOffset);
            return this;
        }

        /** {@return the probe's description} */
        public ProbeInfo build() {
            return new ProbeInfo(file, symbol, offset, fileOffset, pre, post, ret, fault, event, enabled, refCtrOffset);
        }
    }
}
