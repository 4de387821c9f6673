package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.engine.ptrace.TraceHooks;
import io.probe4j.engine.ptrace.Trap;
import io.probe4j.engine.ptrace.TrapAction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.sys.Reg;
import io.probe4j.sys.UserRegs;
import io.probe4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the breakpoint layer will build on: consuming traps, stepping, writing registers. */
@Timeout(120) // a tracer bug shows as a hang: fail instead
class HooksTest {
    @Test
    void aHookThatConsumesBreakpointTrapsKeepsTheProgramAlive() throws Exception {
        List<String> cmd = List.of(Fixtures.compile("trap_int3_loop.c").toString(), "100");
        assertEquals(128 + 5, Runs.untraced(cmd).status()); // without a tracer the first int3 kills it
        int[] hits = new int[1];
        TraceHooks consume = new TraceHooks() {
            @Override
            public TrapAction onTrap(StoppedThread thread, Trap trap) {
                if (!trap.isBreakpoint()) {
                    return TrapAction.DELIVER;
                }
                hits[0]++;
                return TrapAction.RESUME;
            }
        };
        Runs.Result r = Runs.traced(cmd, consume);
        assertEquals(new Runs.Result("100 int3 done\n", 0), r);
        assertEquals(100, hits[0]);
    }

    @Test
    void stepRunsExactlyOneMoreInstructionAndReportsItAsASingleStep() throws Exception {
        List<String> cmd = List.of(Fixtures.compile("trap_int3_loop.c").toString(), "5");
        List<long[]> steps = new ArrayList<>();
        long[] lastBreak = new long[1];
        TraceHooks stepper = new TraceHooks() {
            @Override
            public TrapAction onTrap(StoppedThread thread, Trap trap) {
                if (trap.isBreakpoint()) {
                    lastBreak[0] = trap.ip();
                    return TrapAction.STEP;
                }
                if (trap.isSingleStep()) {
                    steps.add(new long[] {lastBreak[0], trap.ip()});
                    return TrapAction.RESUME;
                }
                return TrapAction.DELIVER;
            }
        };
        assertEquals(new Runs.Result("5 int3 done\n", 0), Runs.traced(cmd, stepper));
        assertEquals(5, steps.size());
        for (long[] s : steps) {
            long len = s[1] - s[0]; // the instruction after the int3 (loop increment or compare): 1..15 bytes
            assertTrue(len >= 1 && len <= 15, "stepped " + len + " bytes");
        }
    }

    @Test
    void registersWrittenInAHookAreWhatTheProgramSees() throws Exception {
        List<String> cmd = List.of(Fixtures.compile("trap_setreg.c").toString());
        assertEquals("rax after int3: 7\n", Runs.untraced(cmd).stdout());
        TraceHooks setAx = new TraceHooks() {
            @Override
            public TrapAction onTrap(StoppedThread thread, Trap trap) {
                UserRegs r = thread.regs();
                assertEquals(7, r.get(Reg.AX));
                assertEquals(trap.ip(), r.ip());
                thread.setRegs(r.set(Reg.AX, 42));
                assertEquals(42, thread.regs().ax());
                return TrapAction.RESUME;
            }
        };
        assertEquals(new Runs.Result("rax after int3: 42\n", 0), Runs.traced(cmd, setAx));
    }

    @Test
    void viewsRefuseUseOutsideTheTracerThread() throws Exception {
        StoppedThread[] leaked = new StoppedThread[1];
        TraceHooks leak = new TraceHooks() {
            @Override
            public TrapAction onTrap(StoppedThread thread, Trap trap) {
                leaked[0] = thread;
                return TrapAction.RESUME;
            }
        };
        Runs.traced(List.of(Fixtures.compile("trap_int3_loop.c").toString(), "1"), leak);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, leaked[0]::regs);
        assertTrue(e.getMessage().contains("tracer thread"), e.getMessage());
    }
}
