package io.probe4j.engine.kernel;

import io.probe4j.event.FetchContext;
import io.probe4j.event.MemoryFault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link FetchContext} over a live process: registers as the kernel recorded them at a hit, memory
 * read through /proc/PID/mem afterwards (the process waits, its globals unchanged).
 */
final class ProcMemContext implements FetchContext {
    private final long pid;
    private final long probeAddress;
    private final long probeOffset;
    private final Map<String, Long> registers;

    /** {@code probeAddress}/{@code probeOffset}: the probed instruction's run-time address and file offset. */
    ProcMemContext(long pid, long probeAddress, long probeOffset, Map<String, Long> registers) {
        this.pid = pid;
        this.probeAddress = probeAddress;
        this.probeOffset = probeOffset;
        this.registers = registers;
    }

    @Override
    public long register(String name) {
        Long v = registers.get(name);
        if (v == null) {
            throw new IllegalArgumentException("register " + name + " was not recorded");
        }
        return v;
    }

    @Override
    public byte[] read(long address, int length) throws MemoryFault {
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            byte[] b = new byte[length];
            mem.seek(address);
            mem.readFully(b);
            return b;
        } catch (IOException | IllegalArgumentException e) {
            throw new MemoryFault(address);
        }
    }

    @Override
    public byte[] readString(long address, int maxLength) throws MemoryFault {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < maxLength - 1; i++) {
            byte b;
            try {
                b = read(address + i, 1)[0];
            } catch (MemoryFault f) {
                if (i == 0) {
                    throw f;
                }
                break;
            }
            if (b == 0) {
                break;
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    @Override
    public byte[] comm() {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip().getBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long fileOffsetToAddress(long fileOffset) {
        return probeAddress - probeOffset + fileOffset;
    }
}
