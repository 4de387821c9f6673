package io.probe4j.cli;

import io.probe4j.error.UserException;
import io.probe4j.arch.x86_64.SdtArg;
import io.probe4j.arch.x86_64.SdtFetch;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.SdtNote;
import io.probe4j.elf.TargetResolver;
import io.probe4j.elf.UsdtLookup;
import io.probe4j.spec.AutoName;
import io.probe4j.spec.FetchArg;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.spec.ProbeTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code PATH:PROVIDER:NAME} definition as the kernel's definitions it stands for: one per place of
 * the probe in the file ({@code PATH:0xOFFSET}), each with the semaphore's file offset as its reference
 * counter ({@code (0xREF_CTR)}) when the note names one, under one event (the kernel appends probes with
 * the same name and argument types to one event). The note's arguments come first, named
 * {@code arg1..argN} and typed from the note; the user's follow, numbered after them.
 *
 * <p>When the places disagree on an argument's signedness (a constant 0 at one, a signed register at
 * another) it is signed everywhere, so that the kernel accepts them as one event; different sizes or
 * argument counts are refused.
 */
final class UsdtDefinitions {
    private UsdtDefinitions() {
    }

    /**
     * Whether {@code line} may name a USDT probe: its second word has two colons (then it is parsed a second
     * time to see; thousands of plain definitions in a file are not).
     */
    static boolean mayBe(String line) {
        String[] words = line.strip().split("\\s+", 3);
        return words.length >= 2 && words[1].indexOf(':') != words[1].lastIndexOf(':');
    }

    /** The kernel's definition lines for {@code d}, whose target is a {@link ProbeTarget.Location.Usdt}. */
    static List<String> lines(TargetResolver resolver, ProbeDefinition d) {
        ProbeTarget.Location.Usdt usdt = (ProbeTarget.Location.Usdt) d.target().location();
        String text = d.target().path();
        Path file = resolver.find(text);
        String shownPath = text.indexOf('/') >= 0 ? text : file.toString();
        ElfFile elf = resolver.open(file);
        String probe = shownPath + ":" + usdt.provider() + ":" + usdt.name();
        List<SdtNote> notes = UsdtLookup.find(elf, usdt.provider(), usdt.name());
        List<List<SdtArg>> args = new ArrayList<>();
        for (SdtNote n : notes) {
            args.add(parse(probe, n));
        }
        List<SdtArg> shape = unified(probe, notes, args);
        String event = d.event() != null ? d.event() : AutoName.of(shownPath, notes.getFirst().offset());
        String userArgs = userArgs(probe, d.args(), shape.size());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < notes.size(); i++) {
            SdtNote n = notes.get(i);
            StringBuilder b = new StringBuilder("p:").append(d.group()).append('/').append(event).append(' ')
                    .append(shownPath).append(":0x").append(Long.toHexString(n.offset()));
            n.semaphoreOffset().ifPresent(s -> b.append("(0x").append(Long.toHexString(s)).append(')'));
            for (int k = 0; k < shape.size(); k++) {
                SdtArg a = args.get(i).get(k);
                SdtArg typed = new SdtArg(a.size(), shape.get(k).signed(), a.operand(), a.text());
                try {
                    b.append(" arg").append(k + 1).append('=').append(SdtFetch.fetchArg(typed, elf, n.offset()));
                } catch (SdtFetch.Refused e) {
                    throw new UserException(String.format("%s: argument arg%d (%s) at file offset 0x%x cannot be fetched: %s. "
                                    + "Probe the place by its file offset (%s:0x%x%s) with the arguments you can fetch",
                            probe, k + 1, a.text(), n.offset(), e.getMessage(), shownPath, n.offset(),
                            n.semaphoreOffset().isPresent() ? "(0x" + Long.toHexString(n.semaphoreOffset().getAsLong()) + ")" : ""));
                }
            }
            lines.add(b.append(userArgs).toString());
        }
        return lines;
    }

    private static List<SdtArg> parse(String probe, SdtNote n) {
        try {
            return SdtArg.parseAll(n.arguments());
        } catch (IllegalArgumentException e) {
            throw new UserException(String.format("%s: the note at file offset 0x%x has an argument probe4j cannot read: %s",
                    probe, n.offset(), e.getMessage()));
        }
    }

    /** Each argument's size and signedness for every place (signed where any place says signed). */
    private static List<SdtArg> unified(String probe, List<SdtNote> notes, List<List<SdtArg>> args) {
        List<SdtArg> first = args.getFirst();
        List<SdtArg> shape = new ArrayList<>(first);
        for (int i = 1; i < args.size(); i++) {
            List<SdtArg> other = args.get(i);
            if (other.size() != first.size()) {
                throw new UserException(String.format("%s: its places disagree on the number of arguments (%d at 0x%x, "
                                + "%d at 0x%x); probe them one by one by file offset", probe, first.size(),
                        notes.getFirst().offset(), other.size(), notes.get(i).offset()));
            }
            for (int k = 0; k < first.size(); k++) {
                SdtArg a = other.get(k);
                if (a.size() != shape.get(k).size()) {
                    throw new UserException(String.format("%s: its places disagree on the size of arg%d (%s at 0x%x, %s at "
                                    + "0x%x); probe them one by one by file offset", probe, k + 1, first.get(k).text(),
                            notes.getFirst().offset(), a.text(), notes.get(i).offset()));
                }
                if (a.signed() && !shape.get(k).signed()) {
                    shape.set(k, a);
                }
            }
        }
        return shape;
    }

    /**
     * The user's arguments as written after the note's: an automatically named one is left unnamed, so that
     * the kernel numbers it after the note's; a name the note's arguments take is refused.
     */
    private static String userArgs(String probe, List<FetchArg> user, int noteArgs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < user.size(); i++) {
            FetchArg a = user.get(i);
            b.append(' ');
            if (a.name().equals("arg" + (i + 1))) {
                b.append(a.text());
                continue;
            }
            for (int k = 1; k <= noteArgs; k++) {
                if (a.name().equals("arg" + k)) {
                    throw new UserException(String.format("%s: the name %s is taken: the probe's %d arguments are "
                            + "arg1..arg%d, and yours follow them; name it otherwise", probe, a.name(), noteArgs, noteArgs));
                }
            }
            b.append(a.name()).append('=').append(a.text());
        }
        return b.toString();
    }
}
