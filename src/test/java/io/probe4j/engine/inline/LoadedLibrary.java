package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.BranchTargets;
import io.probe4j.arch.x86_64.JumpSite;
import io.probe4j.arch.x86_64.JumpSitePlanner;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.testing.Fixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** The {@code inline_lib.c} fixture, compiled as a shared library and loaded into the test JVM. */
final class LoadedLibrary {
    private static LoadedLibrary fixture;
    final Path path;
    final ElfFile elf;
    final SymbolLookup lookup;
    /** Run-time address minus link-time address. */
    final long bias;
    final BranchTargets targets;

    private LoadedLibrary(Path path) {
        this.path = path;
        this.elf = ElfFile.open(path);
        this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
        this.bias = lookup.find("il_add").orElseThrow().address() - symbol("il_add").value();
        this.targets = BranchTargets.scan(BranchTargets.regions(elf));
    }

    static synchronized LoadedLibrary fixture() {
        if (fixture == null) {
            fixture = new LoadedLibrary(Fixtures.compileAs("libinline.so", "inline_lib.c", "-shared", "-fPIC", "-O2"));
        }
        return fixture;
    }

    ElfSymbol symbol(String name) {
        return elf.symbols().defined(name).getFirst();
    }

    /** The function at its link-time address. */
    JumpSitePlanner.Function function(String name) {
        ElfSymbol s = symbol(name);
        return new JumpSitePlanner.Function(name, s.value(), elf.functionBytes(s));
    }

    /** A jump planned at {@code offset} into {@code name}, at link-time addresses. */
    JumpSite plan(String name, int offset) {
        JumpSitePlanner.Function f = function(name);
        return JumpSitePlanner.plan(f, f.address() + offset, targets);
    }

    long address(String name) {
        return symbol(name).value() + bias;
    }

    MethodHandle handle(String name, FunctionDescriptor fd) {
        return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), fd);
    }
}
