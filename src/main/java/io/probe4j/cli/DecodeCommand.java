package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.arch.x86_64.ControlFlow;
import io.probe4j.arch.x86_64.Decoder;
import io.probe4j.arch.x86_64.Instruction;
import io.probe4j.arch.x86_64.Probeability;
import io.probe4j.arch.x86_64.UndecodableException;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.elf.ObjectFinder;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code probe4j decode PATH[:SYMBOL]}: the x86-64 instructions of one function, or of every
 * function symbol of the file, one per line with what matters for probing them.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"List the x86-64 instructions of a function (PATH:SYMBOL) or of every function of PATH:",
                "  <file offset> <length> <bytes> [rip=0x<target>] [branch=<kind>] [unprobeable=<why>]",
                "File offsets are what uprobe_events takes; rip targets are link-time addresses.",
                "Each function starts with a '# NAME 0xVADDR SIZE bytes' line."})
final class DecodeCommand implements Callable<Integer> {
    private static final HexFormat HEX = HexFormat.of();

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH[:SYMBOL]", description = "an ELF file (path, program or library name), optionally a function in it")
    String target;

    @Override
    public Integer call() {
        String pathText = target;
        String symbol = null;
        int colon = target.lastIndexOf(':');
        if (colon > 0 && !Files.exists(Path.of(target))) {
            pathText = target.substring(0, colon);
            symbol = target.substring(colon + 1);
            if (symbol.isEmpty()) {
                throw new UserException("probe4j decode: empty symbol after ':' in " + target);
            }
        }
        ElfFile elf = ElfFile.open(ObjectFinder.system().find(pathText));
        if (elf.machine() != ElfFile.EM_X86_64) {
            throw new UserException(String.format("probe4j decode: %s is not an x86-64 file (e_machine %d)", elf.path(),
                    elf.machine()));
        }
        // picocli's writer flushes every line; 4 million lines (libjvm) want a buffer
        PrintWriter out = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
        for (Map.Entry<Long, List<ElfSymbol>> fn : functions(elf, symbol).entrySet()) {
            list(elf, fn.getValue(), out);
        }
        out.flush();
        return 0;
    }

    /** The functions to list, aliases (same address and size) grouped, in address order. */
    private static Map<Long, List<ElfSymbol>> functions(ElfFile elf, String symbol) {
        List<ElfSymbol> chosen;
        if (symbol == null) {
            chosen = new ArrayList<>(elf.symbols().functions());
        } else {
            chosen = elf.symbols().defined(symbol).stream().filter(ElfSymbol::isDefinedFunction).toList();
            if (chosen.isEmpty()) {
                List<String> close = elf.symbols().closeFunctionNames(symbol, 5);
                throw new UserException(String.format("probe4j decode: %s has no function %s%s", elf.path(), symbol,
                        close.isEmpty() ? "" : " (did you mean " + String.join(", ", close) + "?)"));
            }
            if (chosen.stream().allMatch(s -> s.size() == 0)) {
                throw new UserException(String.format("probe4j decode: %s in %s has size 0, so where it ends is"
                        + " unknown", symbol, elf.path()));
            }
        }
        Map<Long, List<ElfSymbol>> byAddress = new LinkedHashMap<>();
        chosen.stream().filter(s -> s.size() > 0)
                .sorted(Comparator.comparingLong(ElfSymbol::value).thenComparing(ElfSymbol::name))
                .forEach(s -> byAddress.computeIfAbsent(s.value(), k -> new ArrayList<>()).add(s));
        return byAddress;
    }

    private static void list(ElfFile elf, List<ElfSymbol> aliases, PrintWriter out) {
        ElfSymbol fn = aliases.stream().max(Comparator.comparingLong(ElfSymbol::size)).orElseThrow();
        long fileOffset = elf.fileOffsetOf(fn.value()).orElse(-1);
        if (fileOffset < 0) {
            return; // not backed by file bytes: nothing to decode
        }
        out.printf("# %s 0x%x %d bytes%n", String.join(",", aliases.stream().map(ElfSymbol::name).distinct().toList()),
                fn.value(), fn.size());
        byte[] code = elf.functionBytes(fn);
        StringBuilder line = new StringBuilder(96);
        for (int at = 0; at < code.length; ) {
            line.setLength(0);
            line.append(Long.toHexString(fileOffset + at)).append(' ');
            try {
                Instruction i = Decoder.decode(code, at, code.length, fn.value() + at);
                line.append(i.length()).append(' ').append(i.hex());
                if (i.ripRelative()) {
                    line.append(" rip=0x").append(Long.toHexString(i.ripTarget()));
                }
                ControlFlow cf = i.controlFlow();
                if (cf.kind() != null) {
                    line.append(" branch=").append(cf.kind());
                }
                if (Probeability.of(i) instanceof Probeability.Refused r) {
                    line.append(" unprobeable=").append(r.reason());
                }
                at += i.length();
            } catch (UndecodableException e) {
                line.append("1 ").append(HEX.toHexDigits(code[at])).append(" undecodable=").append(e.reason());
                at++;
            }
            out.println(line);
        }
    }
}
