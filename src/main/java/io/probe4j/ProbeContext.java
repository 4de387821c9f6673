package io.probe4j;

import io.probe4j.engine.trap.ProbeHit;
import io.probe4j.sys.Reg;
import io.probe4j.unwind.MappingsCache;
import io.probe4j.unwind.RegisterFile;
import io.probe4j.unwind.Unwinder;
import io.probe4j.unwind.UserStack;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a handler sees of a probe hit: the thread, where it is, its registers and its process's memory.
 * Valid only during the handler call (on the tracer thread, with the thread stopped).
 *
 * <p><b>Changing the program.</b> {@link #setRegister} and {@link #writeMemory} change the traced
 * thread for real: it resumes with the new values. In a pre handler, changing argument registers
 * ({@code di}, {@code si}, ...) changes what the function receives; setting {@code ip} to another
 * address makes the thread continue there and skips the probed instruction (as the kernel does when a
 * uprobe handler changes the instruction pointer). In a return handler,
 * {@link #setReturnValue} changes what the caller gets back.
 */
public final class ProbeContext {
    /** Shared by every session: it only caches what it read of ELF files (keyed by path, device and inode). */
    private static final Unwinder UNWINDER = new Unwinder();

    private final ProbeHit hit;
    private final Probe probe;

    ProbeContext(ProbeHit hit, Probe probe) {
        this.hit = hit;
        this.probe = probe;
    }

    /** {@return the probe whose handler runs} */
    public Probe probe() {
        return probe;
    }

    /** {@return the process (thread group) id} */
    public int pid() {
        return hit.pid();
    }

    /** {@return the thread id} */
    public int tid() {
        return hit.tid();
    }

    /** {@return the thread's name ({@code comm}, at most 15 characters)} */
    public String comm() {
        return hit.comm();
    }

    /** {@return the CPU the thread last ran on} */
    public int cpu() {
        return hit.cpu();
    }

    /** {@return CLOCK_MONOTONIC nanoseconds of the hit (what the kernel's trace timestamps count)} */
    public long timestampNanos() {
        return hit.timestampNs();
    }

    /** {@return the run-time address of the probed instruction (on return: of the function's entry)} */
    public long address() {
        return hit.address();
    }

    /** {@return the probed instruction's offset in its file} */
    public long fileOffset() {
        return hit.fileOffset();
    }

    /** {@return whether this is a return handler's call} */
    public boolean isReturn() {
        return hit.kind() == ProbeHit.Kind.RETURN;
    }

    /** {@return the address of the probed function's entry (the kernel's {@code __probe_func}); in a return handler only} */
    public long entryAddress() {
        requireReturn("entryAddress");
        return hit.address();
    }

    /** {@return the address the function returns to (the kernel's {@code __probe_ret_ip}); in a return handler only} */
    public long returnAddress() {
        requireReturn("returnAddress");
        return hit.returnAddress();
    }

    /** {@return the function's return value ({@code ax}); in a return handler only} */
    public long returnValue() {
        requireReturn("returnValue");
        return register("ax");
    }

    /**
     * Changes the value the caller receives ({@code ax}); in a return handler only.
     *
     * @param value the new return value
     */
    public void setReturnValue(long value) {
        requireReturn("setReturnValue");
        setRegister("ax", value);
    }

    /**
     * A register by its kernel {@code pt_regs} name: {@code ax bx cx dx si di bp sp r8 ... r15 ip flags
     * cs ss orig_ax}, and {@code fs_base gs_base}. {@code ip} is the probe's address at an entry hit
     * and the return address at a return hit, as the kernel's handlers see it.
     *
     * @param name the register's {@code pt_regs} name
     * @return its value now
     * @throws IllegalArgumentException for an unknown name ({@code rax} is spelled {@code ax})
     */
    public long register(String name) {
        return hit.register(reg(name));
    }

    /**
     * Sets a register; the thread resumes with it (see the class comment).
     *
     * @param name  the register's {@code pt_regs} name, as for {@link #register}
     * @param value its new value
     */
    public void setRegister(String name, long value) {
        hit.setRegister(reg(name), value);
    }

    /**
     * Reads {@code length} bytes of the process's memory at {@code address}.
     *
     * @param address where to read, in the process's address space
     * @param length  how many bytes
     * @return the bytes
     * @throws IllegalStateException naming the address when it cannot all be read
     */
    public byte[] readMemory(long address, int length) {
        byte[] b = new byte[length];
        int got = readAvailable(address, b);
        if (got != length) {
            throw new IllegalStateException("cannot read " + length + " bytes at 0x" + Long.toHexString(address)
                    + " in process " + pid() + " (" + got + " readable)");
        }
        return b;
    }

    /**
     * Reads as much of {@code into.length} bytes at {@code address} as the process has mapped there (a
     * read that runs into an unmapped page stops at it, as {@code process_vm_readv} does).
     *
     * @param address where to read, in the process's address space
     * @param into    where the bytes go, from its start
     * @return how many bytes were read: 0 when nothing at {@code address} is readable
     */
    public int readAvailable(long address, byte[] into) {
        return hit.memory().read(address, into);
    }

    /**
     * {@return the little-endian 64-bit word at {@code address}}
     *
     * @param address where to read, in the process's address space
     * @throws IllegalStateException naming the address when it cannot be read
     */
    public long readLong(long address) {
        return java.nio.ByteBuffer.wrap(readMemory(address, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /**
     * Writes into the process's memory (also into read-only pages, as a debugger does).
     *
     * @param address where to write, in the process's address space
     * @param bytes   what to write there
     */
    public void writeMemory(long address, byte[] bytes) {
        hit.memory().write(address, bytes);
    }

    /**
     * {@return the NUL-terminated string at {@code address} (at most 4095 bytes), decoded as UTF-8}
     *
     * @param address where the string starts, in the process's address space
     * @throws IllegalStateException naming the address when nothing there can be read
     */
    public String readString(long address) {
        byte[] b = new byte[4096];
        int got = readAvailable(address, b);
        if (got == 0) {
            throw new IllegalStateException("cannot read a string at 0x" + Long.toHexString(address) + " in process " + pid());
        }
        int n = 0;
        while (n < got && n < 4095 && b[n] != 0) {
            n++;
        }
        return new String(Arrays.copyOf(b, n), StandardCharsets.UTF_8);
    }

    /**
     * The thread's user stack now, innermost first: each frame's address, function, offset and object,
     * unwound with the objects' {@code .eh_frame} call-frame information (frame pointers where there is
     * none), at most {@value Unwinder#DEFAULT_MAX_DEPTH} frames, and why the walk ended. Return addresses
     * that pending return probes replaced are shown as they were; C++ names come both mangled
     * ({@link io.probe4j.unwind.Frame#symbol}) and as c++filt prints them ({@link io.probe4j.unwind.Frame#function}).
     *
     * @return the frames and why the walk ended
     */
    public UserStack stack() {
        return UNWINDER.unwind(RegisterFile.of(this::register), this::readAvailable, pid(), hit::originalReturnAddress);
    }

    /**
     * As {@link #stack()}, with {@code unwinder}'s depth and the process's mappings from {@code maps}: read
     * once and again only when the engine saw them change (start, exec, {@code dlopen}, {@code dlclose}) or
     * the walk met code mapped since; for handlers that take a stack at every hit.
     *
     * @param unwinder the unwinder (its depth), kept across hits
     * @param maps     the mappings cache, kept across hits
     * @return the frames and why the walk ended
     */
    public UserStack stack(Unwinder unwinder, MappingsCache maps) {
        return unwinder.unwind(RegisterFile.of(this::register), this::readAvailable, maps, pid(), hit.mappingsGeneration(),
                hit::originalReturnAddress);
    }

    /**
     * Runs {@code work} on the tracer thread as soon as the thread has resumed, before the next hit is
     * handled. Take what you need from the stopped thread in the handler (registers, memory, name),
     * and leave the rest (formatting, writing, aggregating) to {@code work}: each microsecond a thread
     * stays stopped costs it more than a microsecond, because its CPU goes idle and an idle virtual
     * CPU is slow to wake. {@code work} must not use the stopped thread through this context
     * (registers, memory, name); its plain values (ids, addresses, time) stay valid. If {@code work}
     * throws, the probe's fault handler gets the failure, as for a handler.
     *
     * @param work what to run once the thread has resumed
     */
    public void afterResume(Runnable work) {
        hit.afterResume(() -> {
            try {
                work.run();
            } catch (Throwable t) {
                probe.fault(this, t);
            }
        });
    }

    private void requireReturn(String what) {
        if (!isReturn()) {
            throw new IllegalStateException(what + "() is only available in a return handler");
        }
    }

    private static Reg reg(String name) {
        return Reg.byName(name).orElseThrow(() -> new IllegalArgumentException("no register named '" + name
                + "' (use the kernel's pt_regs names: ax bx cx dx si di bp sp r8..r15 ip flags ...)"));
    }
}
