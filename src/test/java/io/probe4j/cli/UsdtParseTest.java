package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.SdtNote;
import io.probe4j.testing.Cli;
import io.probe4j.testing.UsdtFixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code PATH:PROVIDER:NAME}: a USDT probe named by its note becomes the kernel's definitions, one per
 * place, with the semaphore as reference counter and the note's arguments first; what cannot be is
 * refused saying why.
 */
class UsdtParseTest {
    private static final Path DEMO = UsdtFixtures.demo("O2");

    private static SdtNote note(Path file, String provider, String name) {
        return ElfFile.open(file).sdtNotes().stream().filter(n -> n.provider().equals(provider) && n.name().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void aProbeWithASemaphoreBecomesPathOffsetAndReferenceCounter() {
        SdtNote step = note(DEMO, "demo", "step");
        Cli.Result r = Cli.run("parse", "p:st " + DEMO + ":demo:step");
        assertEquals(0, r.status(), r.err());
        // 8@%rdi -8@%rax -4@$-1
        assertEquals(String.format("p:uprobes/st %s:0x%016x(0x%x) arg1=%%di:u64 arg2=%%ax:s64 arg3=\\-1:s32%n", DEMO,
                step.offset(), step.semaphoreOffset().getAsLong()), r.out());
    }

    @Test
    void theUsersArgumentsFollowTheNotesNumberedAfterThem() {
        SdtNote step = note(DEMO, "demo", "step");
        Cli.Result r = Cli.run("parse", "p:st " + DEMO + ":demo:step +0(%di):string what=+0(%di):u8");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().endsWith(" arg3=\\-1:s32 arg4=+0(%di):string what=+0(%di):u8\n"), r.out());
        Cli.Result taken = Cli.run("parse", "p:st " + DEMO + ":demo:step x=%ax arg1=%si");
        assertEquals(2, taken.status());
        assertEquals(DEMO + ":demo:step: the name arg1 is taken: the probe's 3 arguments are arg1..arg3, and yours "
                + "follow them; name it otherwise", taken.err().strip());
        assertTrue(step.offset() > 0);
    }

    @Test
    void aProbeAtSeveralPlacesIsOneEventAtEachWithOneSignedness() {
        Path jvm = UsdtFixtures.requireLibjvm17();
        Cli.Result r = Cli.run("parse", "p:detach " + jvm + ":hotspot_jni:DetachCurrentThread__return");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        List<SdtNote> places = ElfFile.open(jvm).sdtNotes().stream()
                .filter(n -> n.qualifiedName().equals("hotspot_jni:DetachCurrentThread__return")).toList();
        assertEquals(places.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            // the notes say 4@$0 at one place and -4@... at the others: one event needs one type
            assertTrue(lines.get(i).startsWith(String.format("p:uprobes/detach %s:0x%016x arg1=", jvm, places.get(i).offset())), lines.get(i));
            assertTrue(lines.get(i).endsWith(":s32"), lines.get(i));
        }
    }

    @Test
    void whatAUsdtProbeCannotBeIsRefused() {
        assertEquals("probe4j: error: USDT probe demo:tick: a return probe needs a function's entry, and a USDT probe sits "
                + "inside a function (EINVAL, the kernel logs nothing)", firstLine("r " + DEMO + ":demo:tick"));
        assertEquals("probe4j: error: USDT probe demo:tick: its semaphore (reference counter) comes from its note; give none "
                + "(EINVAL, the kernel logs nothing)", firstLine("p " + DEMO + ":demo:tick(0x10)"));
        assertEquals("probe4j: error: USDT probe demo:tick+4: a USDT probe is named PATH:PROVIDER:NAME, with no offset "
                + "and no pattern (probe4j list --usdt PATH lists the names) (EINVAL, the kernel logs nothing)",
                firstLine("p " + DEMO + ":demo:tick+4"));
        assertEquals("probe4j: error: USDT probe demo:ti*: a USDT probe is named PATH:PROVIDER:NAME, with no offset "
                + "and no pattern (probe4j list --usdt PATH lists the names) (EINVAL, the kernel logs nothing)",
                firstLine("p " + DEMO + ":demo:ti*"));
        assertEquals(DEMO + ": no USDT probe demo:tik; did you mean demo:tick? (probe4j list --usdt " + DEMO
                + " lists its 6 probes)", firstLine("p " + DEMO + ":demo:tik"));
        assertEquals("/bin/true: no USDT probes (the file has no .note.stapsdt notes)", firstLine("p /bin/true:demo:tick"));
        SdtNote tls = note(DEMO, "plain", "tls");
        assertEquals(String.format("%s:plain:tls: argument arg2 (-4@%%fs:plain_tls@tpoff) at file offset 0x%x cannot be "
                + "fetched: it reads through the %%fs segment (thread-local storage), and the kernel's fetch arguments have no "
                + "segment base. Probe the place by its file offset (%s:0x%x) with the arguments you can fetch", DEMO,
                tls.offset(), DEMO, tls.offset()), firstLine("p " + DEMO + ":plain:tls"));
    }

    @Test
    void theKernelsOwnSyntaxStillMeansAFile() {
        Cli.Result strict = Cli.run("parse", "--strict", "p " + DEMO + ":demo:tick");
        assertEquals(2, strict.status(), "no USDT names in the kernel's syntax");
    }

    private static String firstLine(String definition) {
        Cli.Result r = Cli.run("parse", definition);
        assertTrue(r.status() != 0, r.out());
        return r.err().lines().findFirst().orElse("");
    }
}
