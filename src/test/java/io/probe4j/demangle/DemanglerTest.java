package io.probe4j.demangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every mangled symbol of real C++ libraries demangled, against {@code c++filt}: what we print must be
 * exactly what c++filt prints, and we must read (nearly) all the names c++filt reads.
 */
class DemanglerTest {
    @Test
    void libstdcxxNamesAreWhatCxxfiltPrints() throws Exception {
        assertLikeCxxfilt(Path.of("/lib/x86_64-linux-gnu/libstdc++.so.6"), 1.0);
    }

    @Test
    void libjvmNamesAreWhatCxxfiltPrints() throws Exception {
        assertLikeCxxfilt(Path.of(System.getProperty("java.home"), "lib/server/libjvm.so"), 1.0);
    }

    @Test
    void declaratorsPacksLambdasCloneSuffixesAndSpecialNamesAreWhatCxxfiltPrints() throws Exception {
        List<String> names = List.of("_ZNSsC1Ev", "_ZNKSt6vectorIiSaIiEE4sizeEv", "_Z1fv.constprop.0.isra.0", "_Z1fv.cold",
                "_ZN1A1fEv.part.0.cold", "_ZNKR1A1fEv", "_ZNO1A1fEv", "_ZN1AIiE1fIcEEvT_", "_Z1fIJidEEvDpT_", "_Z1fIJEEvDpT_",
                "_Z1fIJidEEvDpRKT_", "_ZZ4mainENKUliiE_clEii", "_ZZ4mainE1x", "_ZZ4mainEs", "_ZTV1A", "_ZThn8_N1A1fEv",
                "_ZTv0_n24_N1A1fEv", "_ZGVZ4mainE1x", "_Z1fPFviE", "_Z1fPA3_i", "_Z1fRA3_i", "_Z1fM1AFviE", "_Z1fM1AKFvvE",
                "_Z1fM1Ai", "_Z1fPFPFivEvE", "_Z1fIiEvT_", "_Z1fILi5EEvv", "_Z1fILb1EEvv", "_Z1fILj5EEvv", "_Z1fILc65EEvv",
                "_Z1fILin5EEvv", "_ZN12_GLOBAL__N_11fEv", "_Z1fDn", "_Z1fIiEDTplfp_fp_ET_", "_Z1fIiEvRAstT__i", "_ZNK1AcviEv",
                "_ZN1AcvT_IiEEv", "_Z1fPKc", "_Z1fPVKc", "_Z1fPrKc", "_ZTI1A", "_ZTS1A", "_Z1fU3fooi", "_Z1fDv4_f",
                "_ZN1AltIiEEbv", "_ZN1AlsEi", "_ZN1AnwEm", "_ZN1AdaEPv", "_ZN1AclEv", "_ZN1AixEi", "_Z1fPDoFvvE",
                "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE9_M_createERmm",
                "_ZNSt7__cxx114listIiSaIiEE5clearB5cxx11Ev", "_ZN7probe4j7Counter6xsputnEPKcl",
                "_ZSt4moveIRiEONSt16remove_referenceIT_E4typeEOS2_");
        List<String> expected = cxxfilt(names);
        for (int i = 0; i < names.size(); i++) {
            assertEquals(expected.get(i), Demangler.demangle(names.get(i)), names.get(i));
        }
    }

    @Test
    void namesThatAreNotMangledStayAsTheyAre() {
        assertEquals("main", Demangler.demangle("main"));
        assertEquals("_Zfoo", Demangler.demangle("_Zfoo"));
        assertEquals("_ZN3fooE.x y", Demangler.demangle("_ZN3fooE.x y"));
    }

    static void assertLikeCxxfilt(Path lib, double wantedShare) throws Exception {
        TreeSet<String> names = new TreeSet<>();
        for (ElfSymbol s : ElfFile.open(lib).symbols().all()) {
            if (s.name().startsWith("_Z")) {
                names.add(s.name());
            }
        }
        List<String> mangled = List.copyOf(names);
        List<String> expected = cxxfilt(mangled);
        List<String> wrong = new ArrayList<>();
        int read = 0;
        int cxxfiltRead = 0;
        for (int i = 0; i < mangled.size(); i++) {
            String theirs = expected.get(i);
            String ours = Demangler.demangle(mangled.get(i));
            if (!theirs.equals(mangled.get(i))) {
                cxxfiltRead++;
            }
            if (!ours.equals(mangled.get(i))) {
                read++;
                if (!ours.equals(theirs)) {
                    wrong.add(mangled.get(i) + "\n   c++filt: " + theirs + "\n   ours:    " + ours);
                }
            } else if (!theirs.equals(mangled.get(i))) {
                wrong.add(mangled.get(i) + "\n   c++filt: " + theirs + "\n   ours:    (not read)");
            }
        }
        System.out.printf("%s: %d names, c++filt reads %d, we read %d, %d differ%n", lib, mangled.size(), cxxfiltRead, read, wrong.size());
        wrong.stream().limit(60).forEach(System.out::println);
        assertTrue(mangled.size() > 1000);
        assertEquals(List.of(), wrong.stream().limit(10).toList(), wrong.size() + " of " + mangled.size() + " differ");
    }

    static List<String> cxxfilt(List<String> names) throws Exception {
        Process p = new ProcessBuilder("c++filt").start();
        Thread writer = Thread.ofVirtual().start(() -> {
            try (var w = p.outputWriter()) {
                for (String n : names) {
                    w.write(n);
                    w.newLine();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<String> out = new String(p.getInputStream().readAllBytes()).lines().toList();
        writer.join();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0);
        assertEquals(names.size(), out.size());
        return out;
    }
}
