package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Assembler.Alu.ADD;
import static io.probe4j.arch.x86_64.Assembler.Alu.XOR;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.arch.x86_64.Mem.Based;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Assembled functions run on the CPU, called from Java through downcall handles. */
class AssemblerExecutionTest {
    static ExecutableMemory mem;
    static final Gpr[] CALLEE_SAVED = {Gpr.RBX, Gpr.RBP, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15};

    @BeforeAll
    static void map() throws Throwable {
        mem = new ExecutableMemory(4 << 20);
    }

    @AfterAll
    static void unmap() {
        mem.close();
    }

    @Test
    void sixArgumentsArriveInTheSysVRegisters() throws Throwable {
        // rdi + 2*rsi + 3*rdx + 4*rcx + 5*r8 + 6*r9: a swapped register shows in the sum
        MethodHandle f = mem.longs(6, a -> {
            a.mov(QWORD, Gpr.RAX, Gpr.RDI);
            a.lea(Gpr.RAX, Mem.of(Gpr.RAX, Gpr.RSI, 2, 0));
            Gpr[] rest = {Gpr.RDX, Gpr.RCX, Gpr.R8, Gpr.R9};
            for (int i = 0; i < rest.length; i++) {
                a.mov(QWORD, Gpr.R10, 3 + i);
                a.imul(QWORD, Gpr.R10, rest[i]);
                a.alu(ADD, QWORD, Gpr.RAX, Gpr.R10);
            }
            a.ret();
        });
        Random r = new Random(1);
        for (int i = 0; i < 100; i++) {
            long[] v = r.longs(6).toArray();
            long expected = v[0] + 2 * v[1] + 3 * v[2] + 4 * v[3] + 5 * v[4] + 6 * v[5];
            assertEquals(expected, (long) f.invoke(v[0], v[1], v[2], v[3], v[4], v[5]));
        }
    }

    @Test
    void aLoopWithForwardAndBackwardBranchesSumsOneToN() throws Throwable {
        MethodHandle f = mem.longs(1, a -> {
            Label top = a.label("top");
            Label done = a.label("done");
            a.alu(XOR, DWORD, Gpr.RAX, Gpr.RAX);
            a.bind(top);
            a.test(QWORD, Gpr.RDI, Gpr.RDI);
            a.jcc(Condition.E, done);
            a.alu(ADD, QWORD, Gpr.RAX, Gpr.RDI);
            a.dec(QWORD, Gpr.RDI);
            a.jmp(top);
            a.bind(done);
            a.ret();
        });
        for (long n : new long[] {0, 1, 2, 10, 1000, 100_000}) {
            assertEquals(n * (n + 1) / 2, (long) f.invoke(n));
        }
    }

    @Test
    void loadsAndStoresThroughEveryBaseIndexScaleAndDisplacement() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment table = arena.allocate(64 * 8, 8);
            Random r = new Random(2);
            for (int j = 0; j < 64; j++) {
                table.setAtIndex(JAVA_LONG, j, r.nextLong());
            }
            List<Based> modes = new ArrayList<>();
            for (int b = -1; b < 16; b++) {
                for (int x = -1; x < 16; x++) {
                    if (b == 4 || x == 4 || b == x && b >= 0 || b < 0 && x < 0) {
                        continue; // %rsp holds the stack (see stackOperands); [disp32] cannot reach the heap
                    }
                    for (int scale : x < 0 ? new int[] {1} : new int[] {1, 2, 4, 8}) {
                        for (int disp : b < 0 ? new int[] {0x40} : new int[] {0, 0x10, -0x80, 0x1234}) {
                            modes.add(new Based(Mem.Segment.NONE, b < 0 ? null : Gpr.of(b), x < 0 ? null : Gpr.of(x),
                                    scale, disp));
                        }
                    }
                }
            }
            MemorySegment out = arena.allocate(modes.size() * 8L, 8);
            // each mode loads table[i % 64] into a register and stores it to out[i], through the same mode
            MethodHandle f = mem.function(FunctionDescriptor.ofVoid(), a -> {
                for (Gpr g : CALLEE_SAVED) {
                    a.push(g);
                }
                for (int i = 0; i < modes.size(); i++) {
                    Based m = modes.get(i);
                    Gpr value = Gpr.of(i % 16);
                    while (value == m.base() || value == m.index() || value == Gpr.RSP) {
                        value = Gpr.of((value.number() + 1) % 16);
                    }
                    point(a, m, table.address() + 8L * (i % 64));
                    a.mov(QWORD, value, m);
                    point(a, m, out.address() + 8L * i);
                    a.mov(QWORD, m, value);
                }
                for (int g = CALLEE_SAVED.length - 1; g >= 0; g--) {
                    a.pop(CALLEE_SAVED[g]);
                }
                a.ret();
            });
            f.invoke();
            System.out.printf("%d addressing modes loaded and stored through%n", modes.size());
            for (int i = 0; i < modes.size(); i++) {
                assertEquals(table.getAtIndex(JAVA_LONG, i % 64), out.getAtIndex(JAVA_LONG, i), modes.get(i).toString());
            }
        }
    }

    /** Sets the base and index registers of {@code m} so that it addresses {@code target}. */
    private static void point(Assembler a, Based m, long target) {
        long k = 3;
        if (m.base() == null) {
            a.mov(QWORD, m.index(), (target - m.displacement()) / m.scale()); // the arrays are 8-aligned
            return;
        }
        a.mov(QWORD, m.base(), target - m.displacement() - (m.index() == null ? 0 : k * m.scale()));
        if (m.index() != null) {
            a.mov(QWORD, m.index(), k);
        }
    }

    @Test
    void stackOperandsAndTheRedZone() throws Throwable {
        MethodHandle f = mem.longs(0, a -> {
            a.mov(QWORD, Mem.of(Gpr.RSP, -8), 0x55); // a leaf function's red zone
            a.lea(Gpr.RSP, Mem.of(Gpr.RSP, -128)); // step over it, as a trampoline must
            a.push(0x11);
            a.push(-0x22);
            a.push(Mem.of(Gpr.RSP, 8)); // 0x11 again
            a.mov(DWORD, Gpr.RCX, 1);
            a.mov(QWORD, Gpr.RAX, Mem.of(Gpr.RSP, Gpr.RCX, 8, 8)); // [rsp+16]: 0x11
            a.alu(ADD, QWORD, Gpr.RAX, Mem.of(Gpr.RSP)); // + 0x11
            a.alu(ADD, QWORD, Gpr.RAX, Mem.of(Gpr.RSP, 8)); // - 0x22
            a.pop(Gpr.RDX);
            a.pop(Mem.of(Gpr.RSP)); // -0x22 over 0x11
            a.alu(ADD, QWORD, Gpr.RAX, Mem.of(Gpr.RSP)); // - 0x22
            a.pop(Gpr.RDX);
            a.pushfq();
            a.pop(Gpr.RDX);
            a.test(DWORD, Gpr.RDX, 0x2); // bit 1 of RFLAGS is always set
            Label ok = a.label("ok");
            a.jcc(Condition.NE, ok);
            a.ud2();
            a.bind(ok);
            a.lea(Gpr.RSP, Mem.of(Gpr.RSP, 128));
            a.alu(ADD, QWORD, Gpr.RAX, Mem.of(Gpr.RSP, -8)); // + 0x55, untouched
            a.ret();
        });
        assertEquals(0x11 + 0x11 - 0x22 - 0x22 + 0x55, (long) f.invoke());
    }

    @Test
    void callsJumpsAndRipRelativeOperandsReachWhereTheCodeLives() throws Throwable {
        long callee = mem.next();
        MethodHandle plusOne = mem.longs(1, a -> {
            a.lea(Gpr.RAX, Mem.of(Gpr.RDI, 1));
            a.ret();
        });
        assertEquals(8, (long) plusOne.invoke(7L));
        long data = mem.memory.address() + (3 << 20); // a data word 3 MiB away, in the same mapping
        mem.memory.set(JAVA_LONG, 3 << 20, 1000);
        MethodHandle tail = mem.longs(1, a -> a.jmp(callee)); // a tail call to an absolute address
        assertEquals(6, (long) tail.invoke(5L));
        MethodHandle f = mem.longs(1, a -> {
            Label word = a.label("word");
            Label exitWord = a.label("exit word");
            Label exit = a.label("exit");
            a.push(Gpr.RBX); // calls want %rsp 16-aligned
            a.call(callee);
            a.mov(QWORD, Gpr.RDI, Gpr.RAX);
            a.mov(QWORD, Gpr.R11, callee);
            a.call(Gpr.R11);
            a.mov(QWORD, Gpr.RDI, Gpr.RAX);
            a.call(Mem.rip(word));
            a.alu(ADD, QWORD, Gpr.RAX, Mem.rip(data));
            a.pop(Gpr.RBX);
            a.jmp(Mem.rip(exitWord));
            a.ud2();
            a.bind(exit);
            a.ret();
            a.align(8);
            a.bind(word);
            a.quad(callee);
            a.bind(exitWord);
            a.quad(exit);
        });
        assertEquals(10 + 3 + 1000, (long) f.invoke(10L));
    }

    @Test
    void lockXaddAndLockCmpxchgCountEveryIncrementOfTwoThreads() throws Throwable {
        // add(counter, n): n times lock xadd [counter], 1
        MethodHandle xadd = mem.longs(2, a -> {
            Label loop = a.label("loop");
            a.bind(loop);
            a.mov(DWORD, Gpr.RAX, 1);
            a.lockXadd(QWORD, Mem.of(Gpr.RDI), Gpr.RAX);
            a.dec(QWORD, Gpr.RSI);
            a.jcc(Condition.NE, loop);
            a.ret();
        });
        // cas(counter, n): n times { rax = [counter]; do rcx = rax + 1 while !lock cmpxchg [counter], rcx }
        MethodHandle cas = mem.longs(2, a -> {
            Label loop = a.label("loop");
            Label retry = a.label("retry");
            a.bind(loop);
            a.mov(QWORD, Gpr.RAX, Mem.of(Gpr.RDI));
            a.bind(retry);
            a.lea(Gpr.RCX, Mem.of(Gpr.RAX, 1));
            a.lockCmpxchg(QWORD, Mem.of(Gpr.RDI), Gpr.RCX);
            a.jcc(Condition.NE, retry); // %rax now holds what another thread stored
            a.dec(QWORD, Gpr.RSI);
            a.jcc(Condition.NE, loop);
            a.ret();
        });
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(2)) {
            MemorySegment counter = arena.allocate(8, 64);
            long n = 2_000_000;
            for (MethodHandle h : List.of(xadd, cas)) {
                counter.set(JAVA_LONG, 0, 0);
                Callable<Object> job = () -> {
                    try {
                        return h.invoke(counter.address(), n);
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                };
                List<Callable<Object>> jobs = List.of(job, job);
                for (Future<Object> fu : pool.invokeAll(jobs)) {
                    fu.get();
                }
                assertEquals(2 * n, counter.get(JAVA_LONG, 0), h == xadd ? "lock xadd" : "lock cmpxchg");
            }
            // lock xadd leaves the old value in its register
            MethodHandle fetchAdd = mem.longs(2, a -> {
                a.mov(QWORD, Gpr.RAX, Gpr.RSI);
                a.lockXadd(QWORD, Mem.of(Gpr.RDI), Gpr.RAX);
                a.ret();
            });
            assertEquals(4 * n, (long) fetchAdd.invoke(counter.address(), 5L) + 2 * n);
            assertEquals(2 * n + 5, counter.get(JAVA_LONG, 0));
        }
    }
}
