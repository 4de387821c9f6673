package io.probe4j.event;

/** A read of the traced process's memory failed (unmapped or unreadable address). */
public final class MemoryFault extends Exception {
    private final long address;

    public MemoryFault(long address) {
        super("cannot read memory at 0x" + Long.toHexString(address), null, false, false);
        this.address = address;
    }

    /** The address that could not be read. */
    public long address() {
        return address;
    }
}
