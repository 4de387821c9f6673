package io.probe4j.unwind;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The oracle for stacks: gdb's backtrace at a breakpoint, one line per real frame: the pc as an offset
 * in its file, the file, and the symbol {@code info symbol} names (demangled, as gdb prints it). The
 * frames gdb makes up from debug information are left out: inlined calls (they share the pc of their
 * real frame) and tail calls (glibc's {@code qsort} jumps to {@code qsort_r}; gdb shows {@code qsort}
 * from {@code DW_TAG_call_site} entries, though no frame of it is on the stack).
 */
final class GdbBacktrace {
    /**
     * @param fileOffset the pc as an offset in {@code object}
     * @param object     the mapped file, as /proc/PID/maps names it
     * @param symbol     the minimal symbol containing the pc, demangled; empty when gdb knows none
     * @param offset     pc minus the symbol's address
     */
    record GdbFrame(long fileOffset, String object, Optional<String> symbol, long offset) {
    }

    private static final String SCRIPT = """
            import gdb
            def where(pc):
                for line in open('/proc/%d/maps' % gdb.selected_inferior().pid):
                    f = line.split(None, 5)
                    lo, hi = [int(x, 16) for x in f[0].split('-')]
                    if lo <= pc < hi:
                        return pc - lo + int(f[2], 16), (f[5].strip() if len(f) > 5 else '')
                return -1, ''
            # Name a caller by pc - 1 (its call may be its function's last instruction, as unwinders do),
            # except the frame a signal interrupted and the signal trampoline itself.
            f = gdb.newest_frame()
            exact = True
            while f is not None:
                if f.type() not in (gdb.INLINE_FRAME, gdb.TAILCALL_FRAME):
                    pc = f.pc()
                    sigtramp = f.type() == gdb.SIGTRAMP_FRAME
                    lookup = pc if exact or sigtramp else pc - 1
                    off, path = where(pc)
                    sym = gdb.execute('info symbol 0x%x' % lookup, to_string=True).strip()
                    print('FRAME|%d|%d|%s|%s' % (off, pc - lookup, path, sym))
                    exact = sigtramp
                f = f.older()
            """;
    private static final Pattern SYMBOL = Pattern.compile("^(.*?)(?: \\+ (\\d+))? in section \\S+(?: of .*)?$");

    private GdbBacktrace() {
    }

    /**
     * The frames at the stop that {@code commands} (gdb commands: breakpoints, {@code run},
     * {@code continue}) lead to.
     */
    static List<GdbFrame> at(List<String> commands, String... program) throws Exception {
        Path script = Files.createTempFile("probe4j-bt", ".py");
        try {
            Files.writeString(script, SCRIPT);
            List<String> cmd = new ArrayList<>(List.of("gdb", "-nx", "-batch",
                    "-ex", "set debuginfod enabled off", "-ex", "set backtrace past-main on",
                    "-ex", "handle SIGUSR1 nostop noprint pass", "-ex", "handle SIGSEGV nostop noprint pass"));
            for (String c : commands) {
                cmd.addAll(List.of("-ex", c));
            }
            cmd.addAll(List.of("-ex", "source " + script, "--args"));
            cmd.addAll(List.of(program));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("gdb did not finish: " + cmd);
            }
            List<GdbFrame> frames = new ArrayList<>();
            for (String line : out.lines().toList()) {
                if (!line.startsWith("FRAME|")) {
                    continue;
                }
                String[] f = line.split("\\|", 5);
                Matcher m = SYMBOL.matcher(f[4]);
                Optional<String> symbol = m.matches() ? Optional.of(m.group(1)) : Optional.empty();
                long offset = m.matches() ? (m.group(2) != null ? Long.parseLong(m.group(2)) : 0) + Long.parseLong(f[2]) : 0;
                frames.add(new GdbFrame(Long.parseLong(f[1]), f[3], symbol, offset));
            }
            if (frames.isEmpty()) {
                throw new IllegalStateException("gdb printed no frames: " + cmd + "\n" + out);
            }
            return frames;
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
