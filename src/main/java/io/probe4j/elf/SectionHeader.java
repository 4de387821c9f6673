package io.probe4j.elf;

/**
 * One ELF64 section header, as {@code readelf -S} shows it.
 *
 * @param index  the section's index in the section header table
 * @param name   the name from {@code .shstrtab}
 * @param type   {@code sh_type}, e.g. {@link #SHT_SYMTAB}
 * @param flags  {@code sh_flags}
 * @param addr   the virtual address when loaded (0 if not loaded)
 * @param offset the file offset of its contents
 * @param size   its size in bytes
 * @param link   {@code sh_link} (for symbol tables: the string table's index)
 * @param info   {@code sh_info}
 * @param addrAlign {@code sh_addralign}
 * @param entSize   {@code sh_entsize}
 */
public record SectionHeader(int index, String name, long type, long flags, long addr, long offset, long size,
                            long link, long info, long addrAlign, long entSize) {
    public static final long SHT_SYMTAB = 2;
    public static final long SHT_STRTAB = 3;
    public static final long SHT_NOTE = 7;
    public static final long SHT_NOBITS = 8;
    public static final long SHT_DYNSYM = 11;
    public static final long SHT_GNU_VERDEF = 0x6ffffffdL;
    public static final long SHT_GNU_VERNEED = 0x6ffffffeL;
    public static final long SHT_GNU_VERSYM = 0x6fffffffL;
    public static final long SHF_EXECINSTR = 0x4;

    /** True when the section occupies bytes in the file (everything but SHT_NOBITS such as .bss). */
    public boolean hasFileBytes() {
        return type != SHT_NOBITS && type != 0;
    }
}
