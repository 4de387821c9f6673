package io.probe4j.engine.inline;

import io.probe4j.engine.ring.EventLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.arch.x86_64.ControlFlow;
import io.probe4j.arch.x86_64.Decoder;
import io.probe4j.arch.x86_64.Instruction;
import io.probe4j.event.FetchEvaluator;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.Value;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.sys.Procfs;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fetch arguments compiled to machine code give, for the same hit, exactly the values the trap
 * engine's evaluator ({@link FetchEvaluator}, checked against the kernel) gives: memory reads through
 * pointer chains, strings and string arrays, arrays, bitfields, chars, {@code @ADDR}, {@code @+OFF},
 * immediates and {@code $comm}. Every pointer here is good (a bad one would be a SIGSEGV in the JVM,
 * which owns that signal): faults are tested in a traced child ({@link InlineFaultTest}).
 */
class InlineFetchArgsTest {
    static LoadedLibrary lib;
    static TscClock clock;
    static final FunctionDescriptor PAIR_SUM = FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG);

    @BeforeAll
    static void setUp() {
        lib = LoadedLibrary.fixture();
        clock = TscClock.calibrate();
    }

    /** Installs {@code args} at {@code function+offset}, runs {@code call}, returns the one event and checks the result. */
    static ProbeEvent oneHit(String function, int offset, String args, CallCheck call) throws Throwable {
        ProbeDefinition d = InlineEntryProbeTest.definition("p:ev " + lib.path + ":" + function + "+" + offset + " " + args);
        EventLayout layout = EventLayout.of(0, false, d.args());
        EventDecoder decoder = new EventDecoder(new EventDecoder.EventSpec[] {
            new EventDecoder.EventSpec(layout, d.group(), d.event(), lib.address(function) + offset)}, clock);
        try (RingMapping rings = InlineEntryProbeTest.rings(1 << 16);
                InstalledProbe p = InstalledProbe.entry(lib, function, offset, layout, rings)) {
            call.run();
            List<ProbeEvent> events = InlineEntryProbeTest.drain(new RingReader(rings), decoder);
            assertEquals(1, events.size(), "events of " + args);
            return events.getFirst();
        }
    }

    @FunctionalInterface
    interface CallCheck {
        void run() throws Throwable;
    }

    /** Compares every argument of {@code args} with the evaluator's, for il_pair_sum(pair, k). */
    static void sameAsTheEvaluator(String args, MemorySegment pair, long k) throws Throwable {
        MethodHandle sum = lib.handle("il_pair_sum", PAIR_SUM);
        ProbeEvent e = oneHit("il_pair_sum", 0, args, () -> assertEquals(
                pair.get(JAVA_LONG, 0) + (pair.get(JAVA_BYTE, 16) & 0xff) + k, (long) sum.invokeExact(pair, k)));
        ProbeDefinition d = InlineEntryProbeTest.definition("p:ev " + lib.path + ":il_pair_sum " + args);
        long fileDelta = lib.address("il_pair_sum") - lib.elf.fileOffsetOf(lib.symbol("il_pair_sum").value()).orElseThrow();
        JvmFetchContext ctx = new JvmFetchContext(Map.of("di", pair.address(), "si", k, "ip", lib.address("il_pair_sum")),
                Procfs.comm((int) ProcessHandle.current().pid(), e.tid()).getBytes(StandardCharsets.ISO_8859_1), fileDelta);
        assertEquals(FetchEvaluator.evaluate(d.args(), ctx), e.args(), args);
    }

    static MemorySegment pair(Arena arena, String name, String n0, String n1) {
        MemorySegment p = arena.allocate(40, 8);
        p.set(JAVA_LONG, 0, -123456789012L);
        p.set(ADDRESS, 8, arena.allocateFrom(name));
        p.asSlice(16, 4).copyFrom(MemorySegment.ofArray(new byte[] {(byte) 0xb5, 'Z', 3, (byte) 0x80}));
        p.set(ADDRESS, 24, arena.allocateFrom(n0));
        p.set(ADDRESS, 32, arena.allocateFrom(n1));
        return p;
    }

    @Test
    void memoryReadsThroughPointersStringsArraysBitfieldsAndCharsAreTheEvaluatorsValues() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = pair(arena, "alpha", "", "gamma delta");
            sameAsTheEvaluator("v=+0(%di):s64 name=+0(+8(%di)):string inline=+8(%di):string bytes=+16(%di):u8[4] bits=+16(%di):b3@2/8 c=+17(%di):char", p, 7);
            sameAsTheEvaluator("names=+24(%di):string[2] chain=+0(+8(%di)):x8 wide=+16(%di):x16[2] k=%si:s16 ip=%ip", p, -2);
            sameAsTheEvaluator("u=+0(%di):u32 x=+4(%di):x32 s=+16(%di):s8[4] raw=+8(%di) twice=+1(+24(%di)):string", p, 0);
        }
    }

    @Test
    void absoluteAndFileRelativeAddressesImmediatesAndTheTaskNameAreTheEvaluatorsValues() throws Throwable {
        long greeting = lib.address("il_greeting");
        long greetingFile = lib.elf.fileOffsetOf(lib.symbol("il_greeting").value()).orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = pair(arena, "x", "y", "z");
            sameAsTheEvaluator(String.format("abs=@0x%x:string head=@0x%x:u8[5] file=@+0x%x:string imm=\\42:u8 is=\\\"hi\":string "
                    + "comm=$comm neg=\\-3:s32", greeting, greeting, greetingFile), p, 1);
        }
    }

    @Test
    void longStringsAreCutAtTheKernelsMaximumLikeTheEvaluatorCutsThem() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = pair(arena, "n".repeat(5000), "short", "");
            sameAsTheEvaluator("long=+0(+8(%di)):string after=+0(+24(%di)):string", p, 3);
        }
    }

    @Test
    void stringsLongerTogetherThanAPageAreEachWholeLikeTheEvaluatorsStrings() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = pair(arena, "a".repeat(3000), "b".repeat(3000), "c".repeat(3000));
            sameAsTheEvaluator("one=+0(+8(%di)):string two=+0(+24(%di)):string three=+0(+32(%di)):string", p, 0);
        }
    }

    static Value text(String s) {
        return new Value.Text(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aStringArgumentThroughADisplacedCallAndTheFunctionsResult() throws Throwable {
        MethodHandle strlen = lib.handle("il_strlen", PAIR_SUM);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom("LOCPATH");
            ProbeEvent e = oneHit("il_strlen", 0, "name=+0(%di):string k=%si:s64",
                    () -> assertEquals(7 + 5, (long) strlen.invokeExact(s, 5L)));
            assertEquals(List.of(new ProbeEvent.Arg("name", text("LOCPATH")), new ProbeEvent.Arg("k", new Value.Signed(5))),
                    e.args());
        }
    }

    @Test
    void theStackArgumentsSeeTheCallersReturnAddress() throws Throwable {
        MethodHandle loop = lib.handle("il_add_loop", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        ProbeEvent e = oneHit("il_add", 0, "ret=$stack0 same=+0($stack):x64", () -> assertEquals(1L, (long) loop.invokeExact(1L)));
        long returnAddress = returnAddressOfIndirectCall(lib, "il_add_loop");
        assertEquals(List.of(new ProbeEvent.Arg("ret", new Value.Hex(returnAddress)), new ProbeEvent.Arg("same", new Value.Hex(returnAddress))),
                e.args());
    }

    /** The address after the first {@code call *} in {@code function}, at run time. */
    static long returnAddressOfIndirectCall(LoadedLibrary lib, String function) {
        byte[] code = lib.function(function).bytes();
        long at = lib.address(function);
        for (int off = 0; off < code.length; ) {
            Instruction i = Decoder.decode(code, off, code.length, at + off);
            if (i.controlFlow() instanceof ControlFlow.IndirectCall) {
                return i.next();
            }
            off += i.length();
        }
        throw new IllegalStateException("no indirect call in " + function);
    }

    @Test
    void aDisplacedRipRelativeLoadStillReadsTheVariable() throws Throwable {
        MethodHandle bump = lib.handle("il_bump", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        long before = (long) bump.invokeExact(0L);
        ProbeEvent e = oneHit("il_bump", 0, "k=%di:s64", () -> assertEquals(before + 40, (long) bump.invokeExact(40L)));
        assertEquals(List.of(new ProbeEvent.Arg("k", new Value.Signed(40))), e.args());
        assertEquals(before + 40, (long) bump.invokeExact(0L));
    }

    @Test
    void aProbeBetweenACompareAndItsJumpKeepsTheFlags() throws Throwable {
        MethodHandle above = lib.handle("il_above", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
        ProbeEvent e = oneHit("il_above", 3, "a=%di:s64 b=%si:s64", () -> {
            assertEquals(1L, (long) above.invokeExact(5L, 3L) & 0xffffffffL);
        });
        assertEquals(List.of(new ProbeEvent.Arg("a", new Value.Signed(5)), new ProbeEvent.Arg("b", new Value.Signed(3))), e.args());
        oneHit("il_above", 3, "a=%di:s64", () -> assertEquals(0L, (long) above.invokeExact(3L, 5L) & 0xffffffffL));
    }
}
