package io.probe4j.elf;

import io.probe4j.error.UserException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A 64-bit ELF file (executable, PIE or shared library), mapped read-only.
 *
 * <p>Headers are parsed when the file is opened; symbol tables on first use. The file is mapped
 * with {@link FileChannel#map}; the mapping goes away when this object is collected (there is no
 * way to unmap early without {@code java.lang.foreign}, which stays in {@code io.probe4j.sys}).
 * Instances are immutable after construction apart from the lazily built symbol index, and safe to
 * share between threads.
 */
public final class ElfFile {
    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int ET_CORE = 4;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;
    public static final int EM_RISCV = 243;

    private static final int EHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int SHDR_SIZE = 64;

    private final Path path;
    private final ElfBytes bytes;
    private final int type;
    private final int machine;
    private final long entry;
    private final List<ProgramHeader> programHeaders;
    private final List<SectionHeader> sections;
    private volatile Symbols symbols;

    private ElfFile(Path path, ElfBytes bytes) {
        this.path = path;
        this.bytes = bytes;
        String file = path.toString();
        bytes.require(0, EHDR_SIZE, "the ELF header");
        this.type = bytes.u16(16);
        this.machine = bytes.u16(18);
        this.entry = bytes.u64(24);
        long phoff = bytes.u64(32);
        long shoff = bytes.u64(40);
        int phentsize = bytes.u16(54);
        int phnum = bytes.u16(56);
        int shentsize = bytes.u16(58);
        long shnum = bytes.u16(60);
        long shstrndx = bytes.u16(62);
        if (shoff != 0 && (shnum == 0 || shstrndx == 0xffff || phnum == 0xffff)) {
            // Huge counts live in section 0 (ELF gABI: SHN_XINDEX / PN_XNUM escapes).
            bytes.require(shoff, SHDR_SIZE, "section header 0");
            if (shnum == 0) {
                shnum = bytes.u64(shoff + 32);
            }
            if (shstrndx == 0xffff) {
                shstrndx = bytes.u32(shoff + 40);
            }
            if (phnum == 0xffff) {
                phnum = (int) bytes.u32(shoff + 44);
            }
        }
        if (phnum > 0 && phentsize != PHDR_SIZE) {
            throw new UserException(file + ": corrupt ELF file: program header size " + phentsize + ", expected " + PHDR_SIZE);
        }
        if (shnum > 0 && shoff != 0 && shentsize != SHDR_SIZE) {
            throw new UserException(file + ": corrupt ELF file: section header size " + shentsize + ", expected " + SHDR_SIZE);
        }
        this.programHeaders = readProgramHeaders(phoff, phnum);
        this.sections = shoff == 0 ? List.of() : readSections(shoff, (int) Math.min(shnum, Integer.MAX_VALUE), shstrndx);
    }

    /**
     * Opens and maps {@code path}. Fails with a {@link UserException} naming the file when it is
     * missing, unreadable, not ELF, not 64-bit, or truncated.
     */
    public static ElfFile open(Path path) {
        String file = path.toString();
        if (Files.isDirectory(path)) {
            throw new UserException(file + ": is a directory, not an ELF file");
        }
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new UserException(file + ": files over 2 GiB are not supported (" + size + " bytes)");
            }
            map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UserException(file + ": permission denied");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
        ElfBytes b = new ElfBytes(map, file);
        checkIdent(b, file);
        return new ElfFile(path, b);
    }

    private static void checkIdent(ElfBytes b, String file) {
        if (b.size() < 4 || b.u8(0) != 0x7f || b.u8(1) != 'E' || b.u8(2) != 'L' || b.u8(3) != 'F') {
            throw new UserException(file + ": not an ELF file (no \\x7fELF magic at the start)");
        }
        if (b.size() < 16) {
            b.require(0, EHDR_SIZE, "the ELF header");
        }
        int elfClass = b.u8(4);
        if (elfClass == 1) {
            throw new UserException(file + ": a 32-bit ELF file (ELFCLASS32); probe4j reads 64-bit ELF files only");
        }
        if (elfClass != 2) {
            throw new UserException(file + ": corrupt ELF file: unknown class " + elfClass + " in e_ident[EI_CLASS]");
        }
        int data = b.u8(5);
        if (data != 1 && data != 2) {
            throw new UserException(file + ": corrupt ELF file: unknown byte order " + data + " in e_ident[EI_DATA]");
        }
        b.order(data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    }

    private List<ProgramHeader> readProgramHeaders(long phoff, int phnum) {
        if (phnum == 0) {
            return List.of();
        }
        bytes.require(phoff, (long) phnum * PHDR_SIZE, "the program header table");
        List<ProgramHeader> out = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            long p = phoff + (long) i * PHDR_SIZE;
            out.add(new ProgramHeader(bytes.u32(p), (int) bytes.u32(p + 4), bytes.u64(p + 8), bytes.u64(p + 16),
                    bytes.u64(p + 24), bytes.u64(p + 32), bytes.u64(p + 40), bytes.u64(p + 48)));
        }
        return List.copyOf(out);
    }

    private List<SectionHeader> readSections(long shoff, int shnum, long shstrndx) {
        bytes.require(shoff, (long) shnum * SHDR_SIZE, "the section header table");
        byte[] names = new byte[0];
        if (shstrndx > 0 && shstrndx < shnum) {
            long p = shoff + shstrndx * SHDR_SIZE;
            long off = bytes.u64(p + 24);
            long size = bytes.u64(p + 32);
            bytes.require(off, size, "the section name table (.shstrtab)");
            names = bytes.bytes(off, (int) size);
        }
        List<SectionHeader> out = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            long p = shoff + (long) i * SHDR_SIZE;
            out.add(new SectionHeader(i, ElfBytes.cString(names, bytes.u32(p)), bytes.u32(p + 4), bytes.u64(p + 8),
                    bytes.u64(p + 16), bytes.u64(p + 24), bytes.u64(p + 32), bytes.u32(p + 40), bytes.u32(p + 44),
                    bytes.u64(p + 48), bytes.u64(p + 56)));
        }
        return List.copyOf(out);
    }

    public Path path() {
        return path;
    }

    /** {@code e_type}: {@link #ET_EXEC} (fixed addresses), {@link #ET_DYN} (PIE or shared library), ... */
    public int type() {
        return type;
    }

    /** {@code e_machine}, e.g. {@link #EM_X86_64}. */
    public int machine() {
        return machine;
    }

    /** {@code e_entry}, a link-time virtual address. */
    public long entry() {
        return entry;
    }

    /** The file's size in bytes. */
    public long size() {
        return bytes.size();
    }

    public List<ProgramHeader> programHeaders() {
        return programHeaders;
    }

    /** The PT_LOAD segments, in file order. */
    public List<ProgramHeader> loadSegments() {
        return programHeaders.stream().filter(ProgramHeader::isLoad).toList();
    }

    public List<SectionHeader> sections() {
        return sections;
    }

    public Optional<SectionHeader> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The symbols of both tables, with an index by name; read on first use. */
    public Symbols symbols() {
        Symbols s = symbols;
        if (s == null) {
            synchronized (this) {
                s = symbols;
                if (s == null) {
                    s = new Symbols(SymbolReader.read(bytes, sections, path.toString()));
                    symbols = s;
                }
            }
        }
        return s;
    }

    /**
     * The link-time virtual address of file offset {@code fileOffset}, through the PT_LOAD segment
     * whose file bytes contain it; empty when no segment loads that byte.
     */
    public OptionalLong vaddrOf(long fileOffset) {
        for (ProgramHeader ph : programHeaders) {
            if (ph.isLoad() && ph.containsOffset(fileOffset)) {
                return OptionalLong.of(ph.vaddr() + (fileOffset - ph.offset()));
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The file offset of link-time virtual address {@code vaddr} (a symbol's value), through the
     * PT_LOAD segment that loads it from the file; empty for addresses outside the file's bytes
     * (.bss) or outside every segment. This is what the kernel's uprobe_events takes as OFFSET.
     */
    public OptionalLong fileOffsetOf(long vaddr) {
        for (ProgramHeader ph : programHeaders) {
            if (ph.isLoad() && ph.containsVaddr(vaddr)) {
                return OptionalLong.of(ph.offset() + (vaddr - ph.vaddr()));
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The file offset of the first function defined as {@code symbol} (the place a runtime hook or a
     * probe on it goes); empty when no function of that name is defined, or its address is outside the
     * file's bytes.
     */
    public OptionalLong functionOffset(String symbol) {
        for (ElfSymbol s : symbols().defined(symbol)) {
            if (s.isDefinedFunction()) {
                return fileOffsetOf(s.value());
            }
        }
        return OptionalLong.empty();
    }

    /** The PT_LOAD segment that holds file offset {@code fileOffset}, if any. */
    public Optional<ProgramHeader> loadSegmentAt(long fileOffset) {
        return programHeaders.stream().filter(ph -> ph.isLoad() && ph.containsOffset(fileOffset)).findFirst();
    }

    /** The GNU build id ({@code NT_GNU_BUILD_ID}) in lowercase hex, as {@code readelf -n} prints it. */
    public Optional<String> buildId() {
        return Notes.buildId(bytes, sections, programHeaders);
    }

    /**
     * The USDT probes of {@code .note.stapsdt} in note order, with file offsets; empty when the file has
     * none (or no section headers).
     *
     * @throws io.probe4j.error.UserException naming the file and note when a note is corrupt
     */
    public List<SdtNote> sdtNotes() {
        return SdtNotes.read(this, bytes);
    }

    /** {@code length} bytes of the file from {@code fileOffset}. */
    public byte[] bytes(long fileOffset, int length) {
        bytes.require(fileOffset, length, "the requested " + length + " bytes");
        return bytes.bytes(fileOffset, length);
    }

    /** The machine code of a defined function: {@code size} bytes at its file offset. */
    public byte[] functionBytes(ElfSymbol function) {
        long off = fileOffsetOf(function.value()).orElseThrow(() -> new UserException(String.format(
                "%s: %s at 0x%x is not inside any loaded segment", path, function.name(), function.value())));
        if (function.size() > Integer.MAX_VALUE) {
            throw new UserException(path + ": " + function.name() + " is too large (" + function.size() + " bytes)");
        }
        return bytes(off, (int) function.size());
    }

    @Override
    public String toString() {
        return "ElfFile[" + path + "]";
    }
}
