package io.probe4j.engine.trap;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A probe point: an instruction of a file, named by (file, file offset), and the consumers attached
 * to it. It applies to every traced process that maps the file executable, now or later (exec,
 * dlopen). Several consumers at one point share one breakpoint.
 */
public final class ProbePoint {
    private final Path file;
    private final long inode;
    private final long offset;
    private final long refCtrOffset;
    final List<ProbeConsumer> consumers = new CopyOnWriteArrayList<>();

    /**
     * @param file   the file, absolute and with symbolic links resolved (as /proc/PID/maps names it)
     * @param inode  its inode number (to recognise its mappings)
     * @param offset the file offset of the probed instruction
     */
    public ProbePoint(Path file, long inode, long offset) {
        this(file, inode, offset, -1);
    }

    /**
     * @param refCtrOffset the file offset of the point's USDT semaphore, -1 for none: {@link Semaphores}
     *                     holds it incremented in each process where the point's breakpoint is in place
     */
    public ProbePoint(Path file, long inode, long offset, long refCtrOffset) {
        this.file = file;
        this.inode = inode;
        this.offset = offset;
        this.refCtrOffset = refCtrOffset;
    }

    public Path file() {
        return file;
    }

    public long inode() {
        return inode;
    }

    public long offset() {
        return offset;
    }

    /** The file offset of the USDT semaphore, -1 for none. */
    public long refCtrOffset() {
        return refCtrOffset;
    }

    /** The consumers, in the order they were added. */
    public List<ProbeConsumer> consumers() {
        return List.copyOf(consumers);
    }

    /** Attaches a consumer; it sees the next hit. Any thread. */
    public void addConsumer(ProbeConsumer c) {
        consumers.add(c);
    }

    /** Detaches a consumer; the caller removes the breakpoints once none is left. Any thread. */
    public void removeConsumer(ProbeConsumer c) {
        consumers.remove(c);
    }

    boolean anyEnabled(java.util.function.Predicate<ProbeConsumer> what) {
        for (ProbeConsumer c : consumers) {
            if (c.isEnabled() && what.test(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return file + ":0x" + Long.toHexString(offset);
    }
}
