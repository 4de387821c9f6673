package io.probe4j.engine.inline;

import io.probe4j.engine.ring.RingLayout;
import io.probe4j.engine.ring.EventLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.arch.x86_64.BranchTargets;
import io.probe4j.arch.x86_64.JumpSite;
import io.probe4j.arch.x86_64.JumpSitePlanner;
import io.probe4j.arch.x86_64.Trampoline;
import io.probe4j.arch.x86_64.TrampolineGenerator;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.Reg;
import io.probe4j.sys.Signals;
import io.probe4j.sys.Spawn;
import io.probe4j.sys.UserRegs;
import io.probe4j.sys.Wait;
import io.probe4j.sys.WaitStatus;
import io.probe4j.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bad pointers in fetch arguments, in a real program under ptrace, handled the way the inline engine's
 * tracer will handle them: a load of the trampoline that faults stops the thread with SIGSEGV before
 * any handler of the program sees it; the tracer looks the instruction pointer up in the trampoline's
 * fault table, moves it to the fixup and suppresses the signal. The records then hold what the kernel
 * records for failed reads (0, {@code (fault)}, partly read arrays) and the program runs to its end
 * with its own results. (The test JVM cannot be the program: the JVM owns SIGSEGV.)
 */
@Tag("integration")
class InlineFaultTest {

    @Test
    void faultingReadsRecordZeroAndFaultAndTheProgramRunsOn() throws Exception {
        Path bin = Fixtures.compile("inline_faults.c");
        ElfFile elf = ElfFile.open(bin);
        ElfSymbol target = elf.symbols().defined("if_target").getFirst();
        ProbeDefinition d = InlineEntryProbeTest.definition("p:if " + bin + ":if_target v=+0(%di):x64 name=+0(+8(%di)):string "
                + "s=+0(%si):string bytes=+0(%di):x8[4] names=+8(%di):string[1]");
        EventLayout layout = EventLayout.of(0, false, d.args());
        Path out = Files.createTempFile("inline-faults", ".out");
        List<String> events = new ArrayList<>();
        int faults = 0;
        try (RingMapping rings = RingMapping.create("probe4j-fault-test", RingLayout.forCpus(
                Runtime.getRuntime().availableProcessors(), 1 << 16, 1))) {
            List<String> argv = new ArrayList<>(List.of(bin.toString(), rings.file().procPath(),
                    "0x" + Long.toHexString(rings.layout().virtualSize())));
            for (RingLayout.Piece p : rings.layout().pieces()) {
                argv.add(String.format("%x:%x:%x", p.offset(), p.length(), p.fileOffset()));
            }
            int pid = Spawn.spawn(bin.toString(), argv, System.getenv(), new Spawn.Stdio(null, out.toString(), null));
            Ptrace.seize(pid, EnumSet.of(Ptrace.Option.EXITKILL));
            WaitStatus ws = Wait.waitpid(pid);
            assertTrue(ws.stopped() && ws.stopSig() == Signals.SIGSTOP, ws.toString());
            String[] ready = Files.readString(out).strip().split(" ");
            long ringsAt = Long.parseUnsignedLong(ready[1], 16);
            long area = Long.parseUnsignedLong(ready[2], 16);
            long bias = Long.parseUnsignedLong(ready[3], 16) - target.value();
            long edge = Long.parseUnsignedLong(ready[4], 16);
            int rseqCpu = Integer.parseInt(ready[5]) + 4;

            JumpSitePlanner.Function f = new JumpSitePlanner.Function("if_target", target.value(), elf.functionBytes(target));
            JumpSite.Patchable site = ((JumpSite.Patchable) JumpSitePlanner.plan(f, f.address(),
                    BranchTargets.scan(BranchTargets.regions(elf)))).movedBy(bias);
            long fileDelta = site.address() - elf.fileOffsetOf(target.value()).orElseThrow();
            Trampoline t = TrampolineGenerator.entry(area, new TrampolineGenerator.Probe(site, layout, fileDelta, false, area + 4096),
                    new TrampolineGenerator.Rings(ringsAt, rings.layout()),
                    new TrampolineGenerator.ThreadLayout(ThisThread.layout().tidOffset(), rseqCpu));
            try (ProcessMemory mem = new ProcessMemory(pid)) {
                mem.write(area + 4096, new byte[] {(byte) pid, (byte) (pid >> 8), (byte) (pid >> 16), (byte) (pid >> 24)});
                mem.writeForced(area, t.code());
                assertArrayEquals(t.original(), mem.readForced(site.address(), t.original().length));
                mem.writeForced(site.address(), t.patch());
            }
            Ptrace.cont(pid, 0); // the SIGSTOP it sent itself is suppressed
            while (true) {
                ws = Wait.waitpid(pid);
                if (ws.dead()) {
                    assertTrue(ws.exited() && ws.exitCode() == 0, ws.toString());
                    break;
                }
                int sig = ws.stopSig();
                if (sig == Signals.SIGSEGV) {
                    UserRegs regs = Ptrace.getRegs(pid);
                    long fixup = t.fixupFor(regs.ip());
                    assertTrue(fixup >= 0, "a fault outside the trampoline's loads at 0x" + Long.toHexString(regs.ip()));
                    regs.set(Reg.IP, fixup);
                    Ptrace.setRegs(pid, regs);
                    faults++;
                    sig = 0;
                }
                Ptrace.cont(pid, sig);
            }
            RingReader reader = new RingReader(rings);
            EventDecoder decoder = new EventDecoder(new EventDecoder.EventSpec[] {
                new EventDecoder.EventSpec(layout, d.group(), d.event(), site.address())}, TscClock.calibrate());
            List<ProbeEvent> decoded = new ArrayList<>();
            reader.poll((ring, record, length) -> decoded.add(decoder.decode(record, length)));
            decoded.stream().sorted(java.util.Comparator.comparingLong(ProbeEvent::timestampNs)).forEach(e -> events.add(args(e)));
            assertEquals(0, reader.lost(0));
            assertTrue(Files.readString(out).contains("result "), Files.readString(out));
            System.out.printf("%d faults redirected; %x is the first unreadable byte%n", faults, edge);
        } finally {
            Files.deleteIfExists(out);
        }
        assertEquals(List.of(
                "v=0x1122334455667788 name=\"hello\" s=\"string one\" bytes={0x88,0x77,0x66,0x55} names={\"hello\"}",
                "v=0x0 name=(fault) s=(fault) bytes={0x0,0x0,0x0,0x0} names={(fault)}",
                "v=0x0 name=(fault) s=(fault) bytes={0x0,0x0,0x0,0x0} names={(fault)}",
                "v=0x2a name=(fault) s=\"x\" bytes={0x2a,0x0,0x0,0x0} names={(fault)}",
                "v=0x1122334455667788 name=\"hello\" s=(fault) bytes={0x88,0x77,0x66,0x55} names={\"hello\"}",
                "v=0x0 name=(fault) s=\"y\" bytes={0xab,0xcd,0x0,0x0} names={(fault)}"), events);
        assertTrue(faults >= 20, faults + " faults");
    }

    static String args(ProbeEvent e) {
        return e.args().stream().map(a -> a.name() + "=" + new String(TraceText.value(a.value()), StandardCharsets.ISO_8859_1))
                .collect(Collectors.joining(" "));
    }
}
