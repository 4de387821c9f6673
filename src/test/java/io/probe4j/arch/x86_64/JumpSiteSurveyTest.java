package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The jump-site planner over every function of libc and of a few programs: how many function entries
 * and how many instruction boundaries take a 5-byte jump, why the rest are refused, and — against
 * objdump, an independent disassembler — that no branch objdump sees lands inside any site accepted.
 */
class JumpSiteSurveyTest {
    static final List<Path> FILES = List.of(Path.of("/lib/x86_64-linux-gnu/libc.so.6"), Path.of("/usr/bin/python3.11"),
            Path.of("/usr/bin/perl"), Path.of("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"),
            Path.of("/usr/lib/x86_64-linux-gnu/libsqlite3.so.0"), Path.of("/usr/bin/bash"));
    /** The files whose accepted sites are checked against objdump's branch targets (objdump takes most of the time). */
    static final List<Path> CHECKED = List.of(FILES.get(0), FILES.get(3), FILES.get(5));

    /** A reason with its numbers and names taken out, to count reasons by kind. */
    static String kind(String reason, String function) {
        String k = reason.startsWith(function + " ") ? "F" + reason.substring(function.length()) : reason;
        return k.replaceAll("0x[0-9a-f]+", "X").replaceAll("\\+X", "X").replaceAll("\\b\\d+\\b", "N");
    }

    static final class Tally {
        int entries, entriesOk, sites, sitesOk;
        final Map<String, Integer> entryReasons = new TreeMap<>();
        final Map<String, Integer> siteReasons = new TreeMap<>();
    }

    @Test
    void everyFunctionEntryAndInstructionOfRealFilesIsPlannedAndNoAcceptedSiteHasABranchLandingInside() throws Exception {
        StringBuilder report = new StringBuilder(String.format("%-22s %17s %21s  %s%n", "file", "entries ok", "instructions ok",
                "objdump targets checked"));
        Map<String, Integer> allEntryReasons = new TreeMap<>();
        Map<String, Integer> allSiteReasons = new TreeMap<>();
        for (Path file : FILES) {
            if (!Files.exists(file)) {
                continue;
            }
            ElfFile elf = ElfFile.open(file);
            BranchTargets targets = BranchTargets.scan(BranchTargets.regions(elf));
            long[] objdumpTargets = CHECKED.contains(file) ? objdumpTargets(file) : new long[0];
            Tally t = new Tally();
            for (ElfSymbol s : elf.symbols().functions()) {
                if (s.size() == 0 || s.isIndirectFunction()) {
                    continue;
                }
                JumpSitePlanner.Function f = new JumpSitePlanner.Function(s.name(), s.value(), elf.functionBytes(s));
                List<JumpSite> all = JumpSitePlanner.planEveryInstruction(f, targets);
                for (int i = 0; i < all.size(); i++) {
                    JumpSite site = all.get(i);
                    boolean entry = i == 0;
                    t.sites++;
                    t.entries += entry ? 1 : 0;
                    switch (site) {
                        case JumpSite.Patchable p -> {
                            t.sitesOk++;
                            t.entriesOk += entry ? 1 : 0;
                            int i0 = Arrays.binarySearch(objdumpTargets, p.address() + 1);
                            int at = i0 < 0 ? -i0 - 1 : i0;
                            assertTrue(at >= objdumpTargets.length || objdumpTargets[at] >= p.end(), () -> String.format(
                                    "%s: objdump sees a branch to 0x%x, inside the site %s+0x%x", file, objdumpTargets[at],
                                    s.name(), p.address() - s.value()));
                            assertTrue(p.length() >= 5 && p.length() < 5 + 15);
                        }
                        case JumpSite.Refused r -> {
                            String k = kind(r.reason(), s.name());
                            t.siteReasons.merge(k, 1, Integer::sum);
                            if (entry) {
                                t.entryReasons.merge(k, 1, Integer::sum);
                            }
                        }
                    }
                }
            }
            report.append(String.format("%-22s %7d/%-7d %3.0f%% %8d/%-8d %3.0f%%  %d%n", file.getFileName(), t.entriesOk, t.entries,
                    100.0 * t.entriesOk / t.entries, t.sitesOk, t.sites, 100.0 * t.sitesOk / t.sites, objdumpTargets.length));
            t.entryReasons.forEach((k, v) -> allEntryReasons.merge(k, v, Integer::sum));
            t.siteReasons.forEach((k, v) -> allSiteReasons.merge(k, v, Integer::sum));
            assertTrue(t.entriesOk > 0.8 * t.entries, file + ": only " + t.entriesOk + " of " + t.entries + " entries");
        }
        report.append("\nwhy function entries were refused, all files:\n");
        allEntryReasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> report.append(String.format("%8d  %s%n", e.getValue(), e.getKey())));
        report.append("\nwhy instructions were refused, all files:\n");
        allSiteReasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
                .forEach(e -> report.append(String.format("%8d  %s%n", e.getValue(), e.getKey())));
        System.out.print(report);
    }

    /** Every direct branch and call target objdump prints, sorted. */
    static long[] objdumpTargets(Path file) throws Exception {
        ObjdumpListing l = ObjdumpListing.of(file);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < l.count; i++) {
            if (l.branchTarget[i] != ObjdumpListing.NONE) {
                out.add(l.branchTarget[i]);
            }
        }
        return out.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
    }
}
