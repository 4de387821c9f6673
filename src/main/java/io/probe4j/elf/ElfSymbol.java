package io.probe4j.elf;

/**
 * One entry of {@code .symtab} or {@code .dynsym}.
 *
 * <p>{@code name} never carries a symbol version: a {@code .dynsym} entry gets its version from
 * {@code .gnu.version}, and a {@code .symtab} name written {@code memcpy@@GLIBC_2.14} is split at
 * its first {@code @}. So {@code memcpy} matches both {@code memcpy@@GLIBC_2.14} and
 * {@code memcpy@GLIBC_2.2.5}; {@link #versionedName()} gives the name as {@code readelf -sW} prints it.
 *
 * @param table          which table it came from
 * @param index          its index in that table
 * @param name           the name without version
 * @param version        the version name ({@code GLIBC_2.14}), or empty
 * @param defaultVersion true for {@code name@@VERSION} (what the linker binds new programs to),
 *                       false for a hidden {@code name@VERSION} or an unversioned symbol
 * @param value          {@code st_value}: a virtual address for ET_EXEC and ET_DYN files
 * @param size           {@code st_size} (0 when the assembler did not know it)
 * @param type           {@code ELF64_ST_TYPE}, e.g. {@link #STT_FUNC}
 * @param binding        {@code ELF64_ST_BIND}, e.g. {@link #STB_GLOBAL}
 * @param visibility     {@code ELF64_ST_VISIBILITY}
 * @param sectionIndex   {@code st_shndx}: {@link #SHN_UNDEF} for imported symbols
 */
public record ElfSymbol(Table table, int index, String name, String version, boolean defaultVersion, long value,
                        long size, int type, int binding, int visibility, int sectionIndex) {
    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;
    public static final int STT_COMMON = 5;
    public static final int STT_TLS = 6;
    public static final int STT_GNU_IFUNC = 10;
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;
    public static final int STB_GNU_UNIQUE = 10;
    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;

    /** The symbol table a symbol was read from. */
    public enum Table {
        SYMTAB(".symtab"), DYNSYM(".dynsym");

        private final String sectionName;

        Table(String sectionName) {
            this.sectionName = sectionName;
        }

        public String sectionName() {
            return sectionName;
        }
    }

    public boolean isDefined() {
        return sectionIndex != SHN_UNDEF;
    }

    /** A plain function ({@code STT_FUNC}) or an indirect one ({@code STT_GNU_IFUNC}), defined here. */
    public boolean isDefinedFunction() {
        return isDefined() && sectionIndex != SHN_ABS && (type == STT_FUNC || type == STT_GNU_IFUNC);
    }

    public boolean isIndirectFunction() {
        return type == STT_GNU_IFUNC;
    }

    /** The name as {@code readelf -sW} shows a defined symbol: {@code name}, {@code name@@VER} or {@code name@VER}. */
    public String versionedName() {
        if (version.isEmpty() || version.equals(name)) {
            return name; // a version's own definition symbol (GLIBC_2.14, ABS) is shown bare
        }
        return name + (defaultVersion ? "@@" : "@") + version;
    }

    /** {@code readelf}'s word for the type: FUNC, OBJECT, IFUNC, ... */
    public String typeName() {
        return switch (type) {
            case STT_NOTYPE -> "NOTYPE";
            case STT_OBJECT -> "OBJECT";
            case STT_FUNC -> "FUNC";
            case STT_SECTION -> "SECTION";
            case STT_FILE -> "FILE";
            case STT_COMMON -> "COMMON";
            case STT_TLS -> "TLS";
            case STT_GNU_IFUNC -> "IFUNC";
            default -> "<type " + type + ">";
        };
    }

    /** {@code readelf}'s word for the binding: LOCAL, GLOBAL, WEAK, UNIQUE. */
    public String bindingName() {
        return switch (binding) {
            case STB_LOCAL -> "LOCAL";
            case STB_GLOBAL -> "GLOBAL";
            case STB_WEAK -> "WEAK";
            case STB_GNU_UNIQUE -> "UNIQUE";
            default -> "<binding " + binding + ">";
        };
    }
}
