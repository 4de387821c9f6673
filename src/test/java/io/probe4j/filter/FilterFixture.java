package io.probe4j.filter;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.engine.kernel.ResolvedProbe;
import io.probe4j.spec.Parser;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The filter tests' fixture, {@code filter_fields} (src/test/c/filter_fields.c), and probes on its
 * {@code record()} with fields of every kind a filter meets: each integer type over the same register,
 * a char, strings (kernel and user), bitfields, arrays of every size, a string array, {@code $comm}, an
 * argument shadowing the generic field {@code cpu}; and a return probe.
 */
final class FilterFixture {
    static final String ENTRY_ARGS = "seq=%di:u32 u8=%si:u8 s8=%si:s8 u16=%si:u16 s16=%si:s16 u32=%si:u32 s32=%si:s32"
            + " u64=%si:u64 s64=%si:s64 x8=%si:x8 x16=%si:x16 x32=%si:x32 x64=%si:x64 cpu=%si:s16 ch=+0(%dx):char"
            + " name=+0(%dx):string uname=+0(%dx):ustring bf=%cx:b5@3/32 bf8=%cx:b3@1/8 bf64=%cx:b7@57/64"
            + " arr2=+0(%dx):u8[2] sarr=+0(%dx):s8[4] arr3=+0(%dx):u8[3] arr8=+0(%dx):u16[4] pair=+0(%r8):string[2]"
            + " cm=$comm";
    static final String RETURN_ARGS = "rv=$retval:u32 low=$retval:s8";

    private FilterFixture() {
    }

    static Path binary() {
        return Fixtures.compile("filter_fields.c");
    }

    private static long recordOffset;

    /** The file offset of {@code record()} (nm and readelf, run once). */
    static synchronized long recordOffset() {
        if (recordOffset == 0) {
            recordOffset = KernelFixtures.fileOffset(binary(), "record");
        }
        return recordOffset;
    }

    /** {@code p:GROUP/EVENT <fixture>:<record> ENTRY_ARGS} in the kernel's syntax. */
    static String entry(String group, String event) {
        return "p:" + group + "/" + event + " " + binary() + ":0x" + Long.toHexString(recordOffset()) + " " + ENTRY_ARGS;
    }

    /** {@code r:GROUP/EVENT <fixture>:<record> RETURN_ARGS}. */
    static String exit(String group, String event) {
        return "r:" + group + "/" + event + " " + binary() + ":0x" + Long.toHexString(recordOffset()) + " " + RETURN_ARGS;
    }

    /** A definition as probe4j's parser reads it. */
    static ProbeDefinition definition(String text) {
        return (ProbeDefinition) Parser.extended().parseLine(text).orElseThrow();
    }

    static ResolvedProbe resolved(String text) {
        return new ResolvedProbe(definition(text), binary(), recordOffset(), OptionalLong.empty());
    }

    /** The names of the entry event's arguments, in order. */
    static List<String> entryFieldNames() {
        return definition(entry("g", "e")).args().stream().map(a -> a.name()).toList();
    }
}
