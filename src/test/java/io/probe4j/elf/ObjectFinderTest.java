package io.probe4j.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.error.UserException;
import io.probe4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding programs and libraries, with ldconfig, ldd and the shell as oracles. */
class ObjectFinderTest {
    private static final Path CACHE = Path.of("/etc/ld.so.cache");
    private static final Pattern LDCONFIG = Pattern.compile("^\\s+(\\S+) \\(([^)]*)\\) => (\\S+)$");

    /** {@code ldconfig -p}: (soname, path) in the cache's order. */
    private static List<String[]> ldconfig() {
        List<String[]> out = new ArrayList<>();
        for (String line : Oracle.run("ldconfig", "-p").split("\n")) {
            Matcher m = LDCONFIG.matcher(line);
            if (m.matches()) {
                out.add(new String[] {m.group(1), m.group(3), m.group(2)});
            }
        }
        return out;
    }

    private static ObjectFinder finder(Map<String, String> env) {
        return new ObjectFinder(env, CACHE, ObjectFinder.STANDARD_DIRS);
    }

    @Test
    void cacheEntriesAreLdconfigs() {
        List<String[]> expected = ldconfig();
        List<LdSoCache.Entry> actual = LdSoCache.read(CACHE).entries();
        assertFalse(expected.isEmpty());
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[0], actual.get(i).name());
            assertEquals(expected.get(i)[1], actual.get(i).path().toString());
            assertEquals(expected.get(i)[2].contains("x86-64"), actual.get(i).matchesHost(), expected.get(i)[0]);
        }
    }

    @Test
    void everySonameIsFoundWhereLdconfigSays() {
        Map<String, String> first = new LinkedHashMap<>();
        for (String[] e : ldconfig()) {
            if (e[2].contains("x86-64") && ObjectFinder.isHostElf(Path.of(e[1]))) {
                first.putIfAbsent(e[0], e[1]);
            }
        }
        ObjectFinder f = finder(Map.of());
        first.forEach((soname, path) -> assertEquals(path, f.findLibrary(soname).orElseThrow().toString(), soname));
    }

    @Test
    void libraryStemsMeanTheirSoname() {
        Map<String, String> bySoname = new HashMap<>();
        ldconfig().forEach(e -> bySoname.putIfAbsent(e[0], e[1]));
        ObjectFinder f = finder(Map.of());
        assertEquals(bySoname.get("libc.so.6"), f.find("libc").toString());
        assertEquals(bySoname.get("libc.so.6"), f.find("libc.so.6").toString());
        assertEquals(bySoname.get("libstdc++.so.6"), f.find("libstdc++").toString());
        assertEquals(bySoname.get("libm.so.6"), f.find("libm").toString());
    }

    @Test
    void bareProgramIsWhatTheShellRuns() {
        String path = System.getenv("PATH");
        for (String prog : List.of("ls", "gcc", "readelf")) {
            String expected = Oracle.run(Map.of("PATH", path), "bash", "-c", "command -v " + prog).strip();
            assertEquals(expected, finder(Map.of("PATH", path)).find(prog).toString(), prog);
        }
    }

    @Test
    void ldLibraryPathComesBeforeTheCacheAsForTheLoader(@TempDir Path dir) throws IOException {
        Path libc = finder(Map.of()).find("libc.so.6");
        Files.copy(libc, dir.resolve("libc.so.6"));
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", dir.toString());
        String ldd = Oracle.run(env, "ldd", "/bin/ls");
        assertTrue(ldd.contains("libc.so.6 => " + dir.resolve("libc.so.6") + " "), ldd);
        assertEquals(dir.resolve("libc.so.6"), finder(env).find("libc"));
        assertEquals(dir.resolve("libc.so.6"), finder(env).find("libc.so.6"));
    }

    @Test
    void privateLibraryFoundThroughLdLibraryPathLikeLdd(@TempDir Path dir) throws IOException {
        Path lib = Fixtures.compileAs("elf_lib.so", "elf_lib.c", "-shared", "-fPIC", "-Wl,-soname,libp4jelf.so.1");
        Files.copy(lib, dir.resolve("libp4jelf.so.1"));
        Path prog = Fixtures.compileAs("elf_uselib", "elf_uselib.c", dir.resolve("libp4jelf.so.1").toString());
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", "/nonexistent:" + dir);
        String ldd = Oracle.run(env, "ldd", prog.toString());
        Matcher m = Pattern.compile("libp4jelf\\.so\\.1 => (\\S+)").matcher(ldd);
        assertTrue(m.find(), ldd);
        assertEquals(Path.of(m.group(1)), finder(env).find("libp4jelf"));
        assertEquals(Path.of(m.group(1)), finder(env).find("libp4jelf.so.1"));
        UserException e = assertThrows(UserException.class, () -> finder(Map.of()).find("libp4jelf"));
        assertTrue(e.getMessage().contains("no such library"), e.getMessage());
    }

    @Test
    void highestVersionWinsAndLinkerScriptsAreSkipped(@TempDir Path dir) throws IOException {
        Path lib = Fixtures.compileAs("elf_lib.so", "elf_lib.c", "-shared", "-fPIC", "-Wl,-soname,libp4jelf.so.1");
        Files.copy(lib, dir.resolve("libp4jelf.so.1"));
        Files.copy(lib, dir.resolve("libp4jelf.so.10"));
        Files.copy(lib, dir.resolve("libp4jelf.so.2"));
        Files.writeString(dir.resolve("libp4jelf.so"), "/* GNU ld script */\nINPUT(libp4jelf.so.2)\n");
        Files.writeString(dir.resolve("libp4jelf.so.11"), "not ELF");
        assertEquals(dir.resolve("libp4jelf.so.10"), finder(Map.of("LD_LIBRARY_PATH", dir.toString())).find("libp4jelf"));
    }

    @Test
    void pathsWithASlashAreTakenAsGiven() {
        assertEquals(Path.of("/bin/ls"), finder(Map.of()).find("/bin/ls"));
        UserException e = assertThrows(UserException.class, () -> finder(Map.of()).find("/no/such/file"));
        assertEquals("/no/such/file: no such file", e.getMessage());
    }

    @Test
    void unknownNamesSayWhereTheyWereLookedFor() {
        UserException e = assertThrows(UserException.class,
                () -> finder(Map.of("PATH", "/usr/bin:/bin")).find("no-such-program-p4j"));
        assertTrue(e.getMessage().startsWith("no-such-program-p4j: no such program in $PATH (/usr/bin:/bin)"), e.getMessage());
        assertTrue(e.getMessage().contains("/etc/ld.so.cache"), e.getMessage());
    }

    @Test
    void corruptCacheIsAClearError(@TempDir Path dir) throws IOException {
        byte[] real = Files.readAllBytes(CACHE);
        Path cut = dir.resolve("cache");
        Files.write(cut, java.util.Arrays.copyOf(real, 100));
        UserException e = assertThrows(UserException.class, () -> LdSoCache.read(cut));
        assertTrue(e.getMessage().contains("truncated loader cache"), e.getMessage());
        Files.writeString(cut, "hello");
        e = assertThrows(UserException.class, () -> LdSoCache.read(cut));
        assertTrue(e.getMessage().contains("not a glibc loader cache"), e.getMessage());
    }
}
