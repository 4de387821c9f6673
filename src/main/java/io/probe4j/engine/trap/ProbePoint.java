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
    final List<ProbeConsumer> consumers = new CopyOnWriteArrayList<>();

    /**
     * @param file   the file, absolute and with symbolic links resolved (as /proc/PID/maps names it)
     * @param inode  its inode number (to recognise its mappings)
     * @param offset the file offset of the probed instruction
     */
    public ProbePoint(Path file, long inode, long offset) {
        this.file = file;
        this.inode = inode;
        this.offset = offset;
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
