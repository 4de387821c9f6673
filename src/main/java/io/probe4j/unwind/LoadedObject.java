package io.probe4j.unwind;

import io.probe4j.error.UserException;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.SectionHeader;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One ELF file mapped into a traced process, with what unwinding and symbolizing need from it: its
 * call-frame information and its function symbols (from a separate debug file when the file itself was
 * stripped of {@code .symtab}). Read on first use and kept by {@link ObjectCache}.
 */
final class LoadedObject {
    private final ElfFile elf;
    private volatile Optional<CallFrameInfo> cfi;
    private volatile SymbolTable symbols;
    private String cfiProblem;

    private LoadedObject(ElfFile elf) {
        this.elf = elf;
    }

    /** The object at {@code path}; empty when it is not a readable ELF file (e.g. deleted since mapped). */
    static Optional<LoadedObject> open(Path path) {
        try {
            return Optional.of(new LoadedObject(ElfFile.open(path)));
        } catch (UserException e) {
            return Optional.empty();
        }
    }

    Path path() {
        return elf.path();
    }

    /** The link-time address of file offset {@code fileOffset} (what CFI and symbols are keyed by). */
    OptionalLong vaddrOf(long fileOffset) {
        return elf.vaddrOf(fileOffset);
    }

    /** The call-frame information; empty when there is none or it cannot be read ({@link #cfiProblem}). */
    Optional<CallFrameInfo> cfi() {
        Optional<CallFrameInfo> c = cfi;
        if (c == null) {
            synchronized (this) {
                if (cfi == null) {
                    try {
                        cfi = CallFrameInfo.of(elf);
                    } catch (CfiException | UserException e) {
                        cfiProblem = e.getMessage();
                        cfi = Optional.empty();
                    }
                }
                c = cfi;
            }
        }
        return c;
    }

    /** Why {@link #cfi} is empty, if it could not be read. */
    synchronized Optional<String> cfiProblem() {
        return Optional.ofNullable(cfiProblem);
    }

    SymbolTable symbols() {
        SymbolTable s = symbols;
        if (s == null) {
            synchronized (this) {
                if (symbols == null) {
                    symbols = readSymbols();
                }
                s = symbols;
            }
        }
        return s;
    }

    /** The function symbols; none when the tables cannot be read (a stack still shows the addresses). */
    private SymbolTable readSymbols() {
        try {
            return readSymbolTables();
        } catch (UserException e) {
            return SymbolTable.EMPTY;
        }
    }

    private SymbolTable readSymbolTables() {
        SymbolTable own = SymbolTable.of(elf.symbols().all());
        boolean hasSymtab = elf.sections().stream().anyMatch(s -> s.type() == SectionHeader.SHT_SYMTAB);
        if (hasSymtab) {
            return own;
        }
        Optional<SymbolTable> debug = DebugFiles.find(elf).flatMap(p -> {
            try {
                return Optional.of(SymbolTable.of(ElfFile.open(p).symbols().all()));
            } catch (UserException e) {
                return Optional.empty();
            }
        });
        return debug.filter(t -> !t.isEmpty()).orElse(own);
    }
}
