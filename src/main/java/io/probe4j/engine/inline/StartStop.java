package io.probe4j.engine.inline;

import io.probe4j.elf.ElfFile;
import io.probe4j.sys.Mapping;
import io.probe4j.sys.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * A breakpoint of the inline engine's own, for a program with no loader (a static executable): no
 * rendezvous tells when its C library has set up the first thread, which the trampolines read their
 * thread id from. glibc calls {@code __libc_early_init} right after it has (thread pointer, tid,
 * rseq), before the constructors run; {@code main} is the next best place. Hit once, then the original
 * byte is back and the program is patched.
 */
final class StartStop {
    private static final List<String> SYMBOLS = List.of("__libc_early_init", "main");
    private static final byte INT3 = (byte) 0xcc;

    final long address;
    private final byte original;

    private StartStop(long address, byte original) {
        this.address = address;
        this.original = original;
    }

    /** Where process {@code pid}'s executable says its C library has set up the thread, if it says. */
    static OptionalLong find(int pid, List<Mapping> maps) {
        String exe;
        try {
            exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return OptionalLong.empty();
        }
        try {
            ElfFile f = ElfFile.open(Path.of(exe));
            for (String name : SYMBOLS) {
                OptionalLong off = f.functionOffset(name);
                for (Mapping m : maps) {
                    if (off.isPresent() && m.executable() && m.path().equals(exe) && m.holdsFileOffset(off.getAsLong())) {
                        return OptionalLong.of(m.addressOf(off.getAsLong()));
                    }
                }
            }
        } catch (RuntimeException unreadable) {
            // no symbols to go by
        }
        return OptionalLong.empty();
    }

    /** An int3 at {@code at}, journaled first (the guardian puts the byte back if this JVM is killed). */
    static StartStop arm(int pid, ProcessMemory memory, long at, PatchJournal journal) {
        byte was = memory.readForced(at, 1)[0];
        journal.patching(pid, at, new byte[] {was}, new byte[] {INT3});
        memory.writeForced(at, new byte[] {INT3});
        return new StartStop(at, was);
    }

    /** The same breakpoint in a fork child's copy of the memory: journaled for the child. */
    StartStop inChild(int childPid, PatchJournal journal) {
        journal.patching(childPid, address, new byte[] {original}, new byte[] {INT3});
        return this;
    }

    /** The original byte back. */
    void disarm(ProcessMemory memory) {
        if (memory.readForced(address, 1)[0] == INT3) {
            memory.writeForced(address, new byte[] {original});
        }
    }
}
