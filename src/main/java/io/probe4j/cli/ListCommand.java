package io.probe4j.cli;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.elf.Glob;
import io.probe4j.elf.ObjectFinder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code probe4j list PATH [GLOB]}: the functions of a file that can be probed by name. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the functions defined in PATH that can be probed as PATH:SYMBOL, one per line: "
                + "file offset (hex), size in bytes, name; sorted by name, like perf probe -F.",
                "Functions come from .symtab and .dynsym; imported (undefined) functions are not shown. "
                        + "A name@VERSION is a non-default symbol version; [ifunc] marks an indirect function, "
                        + "whose address is its load-time resolver."})
final class ListCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH",
            description = "An ELF file; a bare program name (looked up in $PATH) or library name (libc, libc.so.6); "
                    + "with --usdt also a PID (every file the process maps).")
    String path;

    @Option(names = "--usdt", description = {"List the USDT probes (.note.stapsdt) instead, one place per line: file offset, "
            + "semaphore file offset (- for none), PROVIDER:NAME (PATH:PROVIDER:NAME for a PID), the argument specifications.",
            "Trace one as 'p:EVENT PATH:PROVIDER:NAME'; its arguments are arg1..argN."})
    boolean usdt;

    @Parameters(index = "1", arity = "0..1", paramLabel = "GLOB",
            description = "Show only names matching this pattern: * ? [...] (quote it for the shell).")
    String glob;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (usdt) {
            return UsdtList.print(path, glob, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        Path file = ObjectFinder.system().find(path);
        ElfFile elf = ElfFile.open(file);
        Glob filter = glob == null ? null : Glob.of(glob);
        List<ElfSymbol> shown = elf.symbols().functions().stream()
                .filter(f -> elf.fileOffsetOf(f.value()).isPresent())
                .filter(f -> filter == null || filter.matches(f.name()) || filter.matches(f.versionedName()))
                .sorted(Comparator.comparing(ListCommand::shownName).thenComparingLong(ElfSymbol::value))
                .toList();
        if (shown.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(glob == null
                    ? file + ": no function symbols (no .symtab, and .dynsym is missing or exports no functions)"
                    : file + ": no function matches " + glob);
            err.flush();
            return 1;
        }
        long maxOffset = shown.stream().mapToLong(f -> elf.fileOffsetOf(f.value()).orElseThrow()).max().orElse(0);
        long maxSize = shown.stream().mapToLong(ElfSymbol::size).max().orElse(0);
        int offsetWidth = Long.toHexString(maxOffset).length();
        int sizeWidth = Long.toString(maxSize).length();
        String format = "0x%0" + offsetWidth + "x %" + sizeWidth + "d %s%s%n";
        PrintWriter out = spec.commandLine().getOut();
        for (ElfSymbol f : shown) {
            out.printf(format, elf.fileOffsetOf(f.value()).orElseThrow(), f.size(), shownName(f),
                    f.isIndirectFunction() ? " [ifunc]" : "");
        }
        out.flush();
        return 0;
    }

    /** The name to write after PATH: to probe this function: plain for the default version, name@VERSION otherwise. */
    private static String shownName(ElfSymbol f) {
        return f.version().isEmpty() || f.defaultVersion() ? f.name() : f.name() + "@" + f.version();
    }
}
