package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.arch.x86_64.SdtArg.Operand;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.SdtNote;
import io.probe4j.testing.UsdtFixtures;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * USDT argument specifications as {@code <sys/sdt.h>} has gcc write them (the forms below are copied from
 * the notes of the fixtures and of the JDK 17 HotSpot), read into records and written as the kernel's fetch
 * arguments; what the kernel's language cannot compute is refused with the reason.
 */
class SdtArgTest {
    @Test
    void theFormsGccWrites() {
        assertEquals(new SdtArg(4, true, new Operand.Register("edi"), "-4@%edi"), SdtArg.parse("-4@%edi"));
        assertEquals(new SdtArg(1, false, new Operand.Register("r13b"), "1@%r13b"), SdtArg.parse("1@%r13b"));
        assertEquals(new SdtArg(8, true, new Operand.Memory(null, null, -16, "rbp", null, 1), "-8@-16(%rbp)"),
                SdtArg.parse("-8@-16(%rbp)"));
        assertEquals(new SdtArg(8, false, new Operand.Memory(null, null, 0, "rsi", null, 1), "8@(%rsi)"), SdtArg.parse("8@(%rsi)"));
        assertEquals(new SdtArg(4, true, new Operand.Immediate(null, -3), "-4@$-3"), SdtArg.parse("-4@$-3"));
        assertEquals(new SdtArg(8, true, new Operand.Immediate(null, 1234567890123L), "-8@$1234567890123"),
                SdtArg.parse("-8@$1234567890123"));
        assertEquals(new SdtArg(4, true, new Operand.Memory(null, "demo_point", 0, "rip", null, 1), "-4@demo_point(%rip)"),
                SdtArg.parse("-4@demo_point(%rip)"));
        assertEquals(new SdtArg(8, true, new Operand.Memory(null, "demo_point", 8, "rip", null, 1), "-8@8+demo_point(%rip)"),
                SdtArg.parse("-8@8+demo_point(%rip)"));
        assertEquals(new SdtArg(4, true, new Operand.Memory("fs", "plain_tls@tpoff", 0, null, null, 1),
                "-4@%fs:plain_tls@tpoff"), SdtArg.parse("-4@%fs:plain_tls@tpoff"));
        assertEquals(new SdtArg(4, true, new Operand.Memory("fs", null, 0x1c, null, null, 1), "-4@%fs:0x1c"),
                SdtArg.parse("-4@%fs:0x1c"));
        assertEquals(new SdtArg(8, false, new Operand.Memory(null, null, 0, "r8", "r9", 8), "8@(%r8,%r9,8)"),
                SdtArg.parse("8@(%r8,%r9,8)"));
        assertEquals(new SdtArg(8, false, new Operand.Memory(null, "table", 0, null, "rax", 4), "8@table(,%rax,4)"),
                SdtArg.parse("8@table(,%rax,4)"));
        // the oldest notes have no sizes: an unsigned long
        assertEquals(new SdtArg(8, false, new Operand.Register("rdi"), "%rdi"), SdtArg.parse("%rdi"));
        assertEquals(List.of(), SdtArg.parseAll(""));
        assertEquals(3, SdtArg.parseAll("8@%rdi -8@%rax -4@$-1").size());
    }

    @Test
    void whatIsNotAnArgumentIsRefusedNamingIt() {
        assertEquals("'3@%edi': size 3 (only 1, 2, 4 and 8-byte integers are USDT arguments)",
                assertThrows(IllegalArgumentException.class, () -> SdtArg.parse("3@%edi")).getMessage());
        assertEquals("'4@-8(%rbp': memory operand without its closing ')'",
                assertThrows(IllegalArgumentException.class, () -> SdtArg.parse("4@-8(%rbp")).getMessage());
        assertEquals("'4@(%rax,%rbx,3)': scale 3 (1, 2, 4 or 8)",
                assertThrows(IllegalArgumentException.class, () -> SdtArg.parse("4@(%rax,%rbx,3)")).getMessage());
    }

    @Test
    void fetchArgumentsTypedFromTheNote() throws SdtFetch.Refused {
        ElfFile pie = ElfFile.open(UsdtFixtures.demo("O2"));
        Map<String, String> expected = new TreeMap<>(Map.of(
                "-4@%edi", "%di:s32",
                "1@%sil", "%si:u8",
                "-2@%dx", "%dx:s16",
                "8@%r13", "%r13:u64",
                "-4@%r13d", "%r13:s32",
                "-8@-16(%rbp)", "-16(%bp):s64",
                "8@152(%rdi)", "+152(%di):u64",
                "8@(%rsi)", "+0(%si):u64",
                "-4@$-3", "\\-3:s32",
                "1@%ah", "%ax:b8@8/64"));
        expected.put("8@%rip", "%ip:u64");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), SdtFetch.fetchArg(SdtArg.parse(e.getKey()), pie, 0x1000), e.getKey());
        }
    }

    @Test
    void ripRelativeIsTheVariablesPlaceRelativeToTheProbedSegment() throws SdtFetch.Refused {
        // @+OFFSET is read at (probe address - probe file offset + OFFSET): the variable's link-time address
        // minus the link-time delta of the probe's segment
        for (String build : List.of("O2", "nopie")) {
            ElfFile elf = ElfFile.open(UsdtFixtures.demo(build));
            SdtNote tick = elf.sdtNotes().stream().filter(n -> n.name().equals("tick")).findFirst().orElseThrow();
            long point = elf.symbols().defined("demo_point").getFirst().value();
            long delta = elf.loadSegmentAt(tick.offset()).orElseThrow().vaddr() - elf.loadSegmentAt(tick.offset()).orElseThrow().offset();
            assertEquals("@+0x" + Long.toHexString(point + 8 - delta) + ":s64",
                    SdtFetch.fetchArg(SdtArg.parse("-8@8+demo_point(%rip)"), elf, tick.offset()), build);
        }
        ElfFile exec = ElfFile.open(UsdtFixtures.demo("nopie"));
        long point = exec.symbols().defined("demo_point").getFirst().value();
        assertEquals("@0x" + Long.toHexString(point) + ":u32", SdtFetch.fetchArg(SdtArg.parse("4@demo_point"), exec, 0x1000));
        assertEquals("\\0x" + Long.toHexString(point) + ":u64", SdtFetch.fetchArg(SdtArg.parse("8@$demo_point"), exec, 0x1000));
    }

    @Test
    void whatTheKernelCannotFetchIsRefusedWithTheReason() {
        ElfFile pie = ElfFile.open(UsdtFixtures.demo("O2"));
        Map<String, String> reasons = Map.of(
                "-4@%fs:0x1c", "it reads through the %fs segment (thread-local storage), and the kernel's fetch arguments have no segment base",
                "8@(%rax,%rdx,8)", "it is indexed (base + index * scale), and the kernel's fetch arguments cannot add two registers",
                "8@demo_point", "it uses the absolute address of demo_point, which the loader moves in a position-independent file, "
                        + "and the kernel's fetch arguments know only the probed file's base",
                "8@nosuch(%rip)", "its symbol nosuch is not in the file's symbol tables (stripped?)",
                "8@x@GOTPCREL(%rip)", "its symbol x@GOTPCREL carries a relocation operator, resolved only by the linker or loader",
                "8@%xmm0", "%xmm0 is not a general-purpose register, and the kernel's fetch arguments read only those",
                "-1@%ah", "%ah is bits 8-15 of %ax, which the kernel's fetch arguments can extract (as a bitfield) only unsigned",
                "8@16(%rip)", "it is relative to the address of an instruction the note does not name");
        reasons.forEach((spec, reason) -> assertEquals(reason,
                assertThrows(SdtFetch.Refused.class, () -> SdtFetch.fetchArg(SdtArg.parse(spec), pie, 0x1000), spec).getMessage()));
    }

    @Test
    void everyArgumentOfHotSpotIsReadAndFetchable() throws SdtFetch.Refused {
        ElfFile jvm = ElfFile.open(UsdtFixtures.requireLibjvm17());
        int args = 0;
        for (SdtNote n : jvm.sdtNotes()) {
            for (SdtArg a : SdtArg.parseAll(n.arguments())) {
                String fetch = SdtFetch.fetchArg(a, jvm, n.offset());
                assertTrue(fetch.endsWith(":" + (a.signed() ? "s" : "u") + a.size() * 8), fetch);
                args++;
            }
        }
        assertTrue(args > 1000, args + " arguments");
    }
}
