package io.probe4j.engine.inline;

import io.probe4j.event.FetchContext;
import io.probe4j.event.MemoryFault;
import io.probe4j.sys.ProcessMemory;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * What the trap engine's fetch evaluation would see at a hit in this JVM: the registers the test
 * passed, and this process's memory read through {@code process_vm_readv} (a bad address is a
 * {@link MemoryFault}, not a crash).
 */
record JvmFetchContext(Map<String, Long> registers, byte[] comm, long fileDelta) implements FetchContext {
    private static final ProcessMemory SELF = new ProcessMemory((int) ProcessHandle.current().pid());

    @Override
    public long register(String name) {
        Long v = registers.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the test does not know %" + name);
        }
        return v;
    }

    @Override
    public byte[] read(long address, int length) throws MemoryFault {
        byte[] b = new byte[length];
        if (SELF.read(address, b) != length) {
            throw new MemoryFault(address);
        }
        return b;
    }

    @Override
    public byte[] readString(long address, int maxLength) throws MemoryFault {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        for (int i = 0; i < maxLength - 1; i++) {
            if (SELF.read(address + i, one) != 1) {
                if (i == 0) {
                    throw new MemoryFault(address);
                }
                break;
            }
            if (one[0] == 0) {
                break;
            }
            out.write(one[0]);
        }
        return out.toByteArray();
    }

    @Override
    public long fileOffsetToAddress(long fileOffset) {
        return fileDelta + fileOffset;
    }
}
