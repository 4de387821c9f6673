package io.probe4j.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.cli.Main;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per grammar rule; parses only (no tracefs), against /bin/true as the probed file. */
class GrammarRulesTest {
    private static ProbeDefinition probe(String line) {
        return (ProbeDefinition) Parser.kernel().parseLine(line).orElseThrow();
    }

    private static SpecException error(String line) {
        return assertThrows(SpecException.class, () -> Parser.kernel().parseLine(line));
    }

    @Test
    void commentsAndBlankLinesAreSkipped() {
        assertTrue(Parser.kernel().parseLine("  # nothing").isEmpty());
        assertTrue(Parser.kernel().parseLine("").isEmpty());
        assertEquals(1, Parser.kernel().parseText("# a\n\np /bin/true:0x10 # c %rax\n").size());
    }

    @Test
    void automaticNameCutsTheBasenameAndUsesHexOffset() {
        assertEquals("p_true_0x115a", probe("r /bin/true:0x115a").event());
        assertEquals("p_libc_0x10", AutoName.of("/lib/libc.so-6_x", 16));
    }

    @Test
    void percentReturnMakesAReturnProbe() {
        assertTrue(probe("p /bin/true:0x10%return").isReturn());
        assertEquals(KernelError.BAD_ADDR_SUFFIX, error("p /bin/true:0x10%ret").error().orElseThrow());
    }

    @Test
    void refCtrOffsetIsParsedAndShownOnlyWhenNotZero() {
        assertEquals("p:uprobes/p_true_0x10 /bin/true:0x0000000000000010(0x20)", NormalForm.of(probe("p /bin/true:16(0x20)")));
        assertEquals("p:uprobes/p_true_0x10 /bin/true:0x0000000000000010", NormalForm.of(probe("p /bin/true:16(0)")));
    }

    @Test
    void groupAndEventNamesFollowTheKernelRules() {
        ProbeDefinition d = probe("p:my-grp/ev1 /bin/true:0x10");
        assertEquals(List.of("my-grp", "ev1"), List.of(d.group(), d.event()));
        assertEquals(KernelError.BAD_EVENT_NAME, error("p:g/e-1 /bin/true:0x10").error().orElseThrow());
        assertEquals(KernelError.EVENT_TOO_LONG, error("p:" + "e".repeat(64) + " /bin/true:0x10").error().orElseThrow());
    }

    @Test
    void fetchArgumentFormsBuildTheTree() {
        List<FetchArg> a = probe("p /bin/true:0x10 %di x=+8(-u4(%si)):string @0x10 @+0x20:u8 $stack3 $stack \\-1 \\\"hi\" $comm").args();
        assertEquals(new Fetch.Register("di"), a.get(0).fetch());
        assertEquals(new Fetch.Deref(8, false, new Fetch.Deref(-4, true, new Fetch.Register("si"))), a.get(1).fetch());
        assertEquals(new ArgType.StringType(false), a.get(1).type());
        assertEquals(new Fetch.AbsoluteMemory(16), a.get(2).fetch());
        assertEquals(new Fetch.FileMemory(32), a.get(3).fetch());
        assertEquals(new Fetch.StackEntry(3), a.get(4).fetch());
        assertEquals(new Fetch.StackPointer(), a.get(5).fetch());
        assertEquals(new Fetch.Immediate(-1), a.get(6).fetch());
        assertEquals(new Fetch.ImmediateString("hi"), a.get(7).fetch());
        assertEquals(new Fetch.Comm(), a.get(8).fetch());
        assertEquals(List.of("arg1", "x", "arg3"), a.subList(0, 3).stream().map(FetchArg::name).toList());
    }

    @Test
    void typesBitfieldsAndArrays() {
        List<FetchArg> a = probe("p /bin/true:0x10 %ax:s16 %ax:b3@4/32 +0(%ax):u8[4] %ax:char").args();
        assertEquals(new ArgType.Scalar(ArgType.Radix.SIGNED, 16), a.get(0).type());
        assertEquals(new ArgType.Bitfield(3, 4, 32), a.get(1).type());
        assertEquals(new ArgType.Array(new ArgType.Scalar(ArgType.Radix.UNSIGNED, 8), 4), a.get(2).type());
        assertEquals(new ArgType.CharType(), a.get(3).type());
        assertEquals(KernelError.ARRAY_TOO_BIG, error("p /bin/true:0x10 +0(%ax):u8[65]").error().orElseThrow());
    }

    @Test
    void retvalOnlyOnReturnProbes() {
        assertEquals(new Fetch.ReturnValue(), probe("r /bin/true:0x10 $retval").args().getFirst().fetch());
        assertEquals(KernelError.RETVAL_ON_PROBE, error("p /bin/true:0x10 $retval").error().orElseThrow());
    }

    @Test
    void errorFormatIsTheErrorLogLayout() {
        assertEquals("trace_uprobe: error: Invalid register name\n  Command: p:ceo_c /bin/true:0x10a %rax\n"
                + " ".repeat(11 + 24) + "^\n", error("p:ceo_c /bin/true:0x10a %rax").format());
    }

    @Test
    void extendedModeTakesSymbolsAndBareNames() {
        ProbeDefinition d = (ProbeDefinition) Parser.extended().parseLine("p libc:malloc+4 %di").orElseThrow();
        assertEquals(new ProbeTarget.Location.Symbol("malloc", 4), d.target().location());
        assertTrue(d.needsResolution());
        assertEquals("p:uprobes/p_libc_0x9a0c4 /lib/libc.so.6:0x000000000009a0c4 arg1=%di",
                NormalForm.of(d.resolvedTo("/lib/libc.so.6", 0x9a0c4)));
        assertEquals(Errno.EINVAL, error("p libc:malloc").errno());   // the kernel's language has neither
    }

    @Test
    void definitionSetRefusesTheSameProbeTwiceAndRemovesByName() {
        DefinitionSet set = new DefinitionSet(Parser.kernel());
        set.apply("p:e /bin/true:0x10");
        assertEquals(KernelError.SAME_PROBE,
                assertThrows(SpecException.class, () -> set.apply("p:e /bin/true:0x10")).error().orElseThrow());
        set.apply("p:e /bin/true:0x20");   // appended to the same event
        assertEquals(2, set.listing().size());
        set.apply("-:e");
        assertEquals(Errno.ENOENT, assertThrows(SpecException.class, () -> set.apply("-:e")).errno());
    }

    @Test
    void parseCommandPrintsNormalFormsAndStopsAtTheFirstBadOne() {
        assertEquals(0, Main.run("parse", "p:g/e /bin/true:4096 %di"));
        assertEquals(2, Main.run("parse", "p /bin/true:0x10", "p /bin/true:0x10 %rax"));
    }
}
