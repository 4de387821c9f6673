package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A template's copy with displaced instructions of another length: a branch from after them back to
 * before them takes the length the assembler would give it there, or the template makes no copy.
 */
class TemplateTest {
    static final long BASE = 0x7f00_1234_0000L;

    /** A label, {@code displaced} bytes standing for the displaced instructions, then a branch back to the label. */
    static Assembler code(int displaced) {
        Assembler a = new Assembler(BASE);
        Label top = a.label("top");
        a.bind(top);
        a.nop(1);
        a.bytes(nops(displaced));
        a.jmp(top);
        return a;
    }

    static byte[] nops(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0x90);
        return b;
    }

    @Test
    void aBranchAcrossTheDisplacedInstructionsKeepsTheLengthItsDistanceGivesOrThereIsNoCopy() {
        Template.Place place = new Template.Place(BASE, 0, 0, 0, 0, 0);
        for (int length : new int[] {10, 200}) { // the branch back is rel8 in one template, rel32 in the other
            Assembler a = code(length);
            Template t = Template.of(a, a.finish(), 1, 1 + length, List.of());
            int copies = 0;
            for (int d = 1; d < 300; d++) {
                byte[] whole = code(d).finish();
                byte[] copy = t.code(place, nops(d));
                boolean sameForm = whole.length - d == a.finish().length - length;
                if (sameForm) {
                    assertArrayEquals(whole, copy, length + " -> " + d);
                    copies++;
                } else {
                    assertNull(copy, length + " -> " + d + ": the branch would have another length");
                }
            }
            assertEquals(length == 10 ? 125 : 299 - 125, copies);
        }
    }
}
