package io.probe4j.spec;

/** The probed place of a kprobe: {@code [MOD:]SYM[+OFFSET]} or a kernel address. */
public sealed interface KernelTarget {

    /**
     * {@code [MOD:]SYM[+OFFSET]}: a kernel function, optionally of a module.
     *
     * @param module the module named before {@code :}, or {@code null} for none (vmlinux or any module);
     *               may be empty ({@code :sym}), which the kernel accepts as a module that is never loaded
     * @param name   the symbol as written after the module
     * @param offset bytes from the symbol's start, 0 to 2^32-1
     */
    record Symbol(String module, String name, long offset) implements KernelTarget {
        /** The symbol as the kernel keeps and prints it: {@code MOD:SYM} or {@code SYM}. */
        public String qualifiedName() {
            return module == null ? name : module + ":" + name;
        }
    }

    /** A kernel virtual address given as a number. */
    record Address(long address) implements KernelTarget {
    }
}
