package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.PomVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code ./probe4j} as a user runs it: one JVM a run (the JDK's version comes from its
 * {@code release} file), the JDK's ahead-of-time cache made next to the jar and used, and silent
 * whatever state that cache is in; the JVM gets the caller's environment byte for byte.
 *
 * <p>The launcher and its scripts run from a copy with a jar of the classes under test, and with a
 * JDK whose {@code bin/java} is a stand-in: it records each JVM start (arguments, environment, the
 * classes it loaded and from where) and runs the real java.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherTest {
    private static final String VERSION_LINE = "probe4j " + PomVersion.read() + "\n";

    @TempDir
    static Path home;
    static Path jar;
    static Path jdk;
    static Path log;

    record Run(int status, String out, String err) {
    }

    /** One JVM start: what the stand-in java saw. */
    record Start(long pid, String args) {
        boolean training() {
            return args.contains("-XX:AOTMode=");
        }

        String classes() {
            try {
                return Files.readString(log.resolve("classes-" + pid + ".txt"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] environment() throws IOException {
            return Files.readAllBytes(log.resolve("environ-" + pid));
        }
    }

    @BeforeAll
    static void launcherCopy() throws IOException {
        Files.copy(Path.of("probe4j"), home.resolve("probe4j"));
        Files.createDirectories(home.resolve("scripts"));
        try (Stream<Path> scripts = Files.list(Path.of("scripts"))) {
            for (Path s : scripts.filter(p -> p.toString().endsWith(".sh")).toList()) {
                Files.copy(s, home.resolve("scripts").resolve(s.getFileName()));
            }
        }
        jar = home.resolve("target/probe4j.jar");
        Files.createDirectories(jar.getParent());
        writeJar(jar);
        log = Files.createDirectories(home.resolve("log"));
        Path realJdk = Path.of(System.getProperty("java.home"));
        jdk = Files.createDirectories(home.resolve("jdk/bin")).getParent();
        Files.copy(realJdk.resolve("release"), jdk.resolve("release"));
        Files.createSymbolicLink(jdk.resolve("bin/javac"), realJdk.resolve("bin/javac"));
        Path java = jdk.resolve("bin/java");
        Files.writeString(java, """
                #!/bin/sh
                printf '%s %s\\n' "$$" "$*" >>LOG/starts
                cat /proc/$$/environ >LOG/environ-$$
                exec REAL/bin/java -Xlog:class+load=info:file=LOG/classes-$$.txt "$@"
                """.replace("LOG", log.toString()).replace("REAL", realJdk.toString()));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    @Order(1)
    void twoFirstRunsAtOnceMakeOneWholeCacheAndPrintNothingElse() throws Exception {
        List<Process> first = List.of(start("--version"), start("--version"));
        for (Process p : first) {
            assertEquals(new Run(0, VERSION_LINE, ""), finish(p));
        }
        List<Path> caches = caches();
        assertEquals(1, caches.size(), "one cache next to the jar: " + caches);
        assertTrue(Files.size(caches.getFirst()) > 1_000_000, "a whole cache");
        assertEquals(List.of(), leftovers(), "no temporary files left");
        assertTrue(starts().stream().anyMatch(Start::training), "the cache was trained");
    }

    @Test
    @Order(2)
    void oneJvmARunAndItUsesTheCache() throws Exception {
        int before = starts().size();
        assertEquals(new Run(0, VERSION_LINE, ""), finish(start("--version")));
        List<Start> starts = starts().subList(before, starts().size());
        assertEquals(1, starts.size(), "JVMs started for one run (no version check, no training): " + starts);
        Start run = starts.getFirst();
        assertTrue(run.args().contains("-XX:AOTCache=" + caches().getFirst()), run.args());
        assertTrue(run.classes().contains("io.probe4j.cli.Main source: shared objects file"),
                "probe4j's classes come from the cache");
    }

    @Test
    @Order(3)
    void aJarRebuiltAfterTheCacheGetsANewCache() throws Exception {
        Path cache = caches().getFirst();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now())); // as a build would leave it
        assertEquals(new Run(0, VERSION_LINE, ""), finish(start("--version")));
        assertTrue(Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0, "cache made again");
        int before = starts().size();
        assertEquals(new Run(0, VERSION_LINE, ""), finish(start("--version")));
        Start run = starts().get(before);
        assertTrue(run.classes().contains("io.probe4j.cli.Main source: shared objects file"), "the new cache is used");
    }

    @Test
    @Order(4)
    void aDamagedCacheCostsTimeOnlyAndPrintsNothing() throws Exception {
        Path cache = caches().getFirst();
        byte[] whole = Files.readAllBytes(cache);
        List<byte[]> damaged = List.of(Arrays.copyOf(whole, whole.length / 2), "not a cache\n".getBytes(StandardCharsets.UTF_8),
                new byte[0]);
        try {
            for (byte[] bytes : damaged) {
                Files.write(cache, bytes);
                int before = starts().size();
                Run r = finish(start("parse", "p:x /bin/true:0x10"));
                assertEquals(new Run(0, "p:uprobes/x /bin/true:0x0000000000000010\n", ""), r, bytes.length + " bytes of cache");
                assertEquals(1, starts().size() - before, "no JVM but the run's");
                assertFalse(starts().get(before).classes().contains("io.probe4j.cli.Main source: shared objects file"));
            }
        } finally {
            Files.write(cache, whole);
        }
    }

    @Test
    @Order(5)
    void theJvmGetsTheCallersEnvironmentByteForByte() throws Exception {
        // env -i sets exactly these, in this order: what a shell's exec would hand the launcher
        List<String> env = List.of("Z_LAST_FIRST=1", "A_FIRST_LAST=two words", "PATH=/usr/bin:/bin", "JAVA_HOME=" + jdk,
                "M_MIDDLE=x=y", "HOME=" + System.getProperty("user.home"));
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        cmd.addAll(env);
        cmd.addAll(List.of(home.resolve("probe4j").toString(), "--version"));
        int before = starts().size();
        assertEquals(new Run(0, VERSION_LINE, ""), finish(new ProcessBuilder(cmd).start()));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (String e : env) {
            expected.write(e.getBytes(StandardCharsets.UTF_8));
            expected.write(0);
        }
        assertArrayEquals(expected.toByteArray(), starts().get(before).environment(),
                "the JVM's environment: nothing added (JAVA_HOME, PWD, SHLVL, _), nothing dropped, same order");
    }

    /**
     * A script's background job has SIGINT and SIGQUIT ignored; the JVM takes SIGQUIT over and probe4j
     * takes SIGINT back (to stop on it), yet the program it launches must get what the command line gave.
     */
    @Test
    @Order(6)
    void aTracedProgramGetsTheSignalDispositionsOfTheCommandLine() throws Exception {
        String grep = "grep -E '^Sig(Ign|Blk)' /proc/self/status";
        Process untraced = new ProcessBuilder("/bin/sh", "-c", grep + " & wait").start();
        Process traced = new ProcessBuilder("/bin/sh", "-c", "JAVA_HOME=" + jdk + " " + home.resolve("probe4j")
                + " trace -o /dev/null 'p:lt_getenv libc:getenv' -- " + grep + " & wait").start();
        String expected = finish(untraced).out();
        long ignored = Long.parseUnsignedLong(expected.replaceAll("(?s).*SigIgn:\\s*(\\p{XDigit}+).*", "$1"), 16);
        assertEquals(6, ignored & 6, "the shell ignores SIGINT and SIGQUIT in its job: " + expected);
        assertEquals(new Run(0, expected, ""), finish(traced));
    }

    /**
     * A script's background job has SIGINT ignored, which a shell cannot undo for itself: a {@code kill
     * -INT} while the launcher builds the jar (here a Maven stand-in that would take a minute) must still
     * stop it, and Maven with it, at once and before any JVM of probe4j starts, or probe4j would start
     * and trace on.
     */
    @Test
    @Order(7)
    void aSigintDuringTheBuildStopsItInAScriptsBackgroundJob() throws Exception {
        Path source = Files.createDirectories(home.resolve("src/main")).resolve("Newer.java");
        Path bin = Files.createDirectories(home.resolve("fake-bin"));
        Path mvnPid = log.resolve("mvn.pid");
        try {
            Files.writeString(source, "class Newer {}\n");
            Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(3600))); // newer than the jar
            Path mvn = bin.resolve("mvn");
            Files.writeString(mvn, "#!/bin/sh\necho $$ >" + mvnPid + "\nexec sleep 60\n");
            Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
            int before = starts().size();
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "trap '' INT; exec \"$0\" --version", home.resolve("probe4j").toString());
            pb.environment().put("JAVA_HOME", jdk.toString());
            pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            Process launcher = pb.start();
            for (int i = 0; i < 1500 && !Files.exists(mvnPid); i++) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(mvnPid), "the build started");
            long mavenPid = Long.parseLong(Files.readString(mvnPid).strip());
            long sent = System.nanoTime();
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(launcher.pid())).start().waitFor());
            Run r = finish(launcher);
            assertTrue(System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(10), "the launcher stopped at once, not after the build");
            assertEquals(130, r.status(), r.err());
            assertTrue(r.err().contains("probe4j: interrupted while building"), r.err());
            for (int i = 0; i < 250 && ProcessHandle.of(mavenPid).map(ProcessHandle::isAlive).orElse(false); i++) {
                Thread.sleep(20);
            }
            assertFalse(ProcessHandle.of(mavenPid).map(ProcessHandle::isAlive).orElse(false), "Maven was stopped too");
            assertEquals(before, starts().size(), "no JVM of probe4j started");
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(mvnPid);
        }
    }

    private static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("probe4j").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JAVA_HOME", jdk.toString());
        return pb.start();
    }

    private static Run finish(Process p) throws Exception {
        p.getOutputStream().close();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the launcher did not finish");
        return new Run(p.exitValue(), out, err.get());
    }

    private static List<Start> starts() throws IOException {
        Path starts = log.resolve("starts");
        if (!Files.exists(starts)) {
            return List.of();
        }
        return Files.readAllLines(starts).stream()
                .map(l -> new Start(Long.parseLong(l.substring(0, l.indexOf(' '))), l.substring(l.indexOf(' ') + 1)))
                .toList();
    }

    private static List<Path> caches() throws IOException {
        try (Stream<Path> files = Files.list(jar.getParent())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".aot")).toList();
        }
    }

    private static List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(jar.getParent())) {
            return files.filter(f -> !f.equals(jar) && !f.getFileName().toString().endsWith(".aot")).toList();
        }
    }

    /** The launcher's jar, as the build makes it: the classes under test and picocli, Main as main class. */
    private static void writeJar(Path target) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        manifest.getMainAttributes().putValue("Enable-Native-Access", "ALL-UNNAMED");
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path picocli = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), manifest);
             Stream<Path> tree = Files.walk(classes);
             JarFile lib = new JarFile(picocli.toFile())) {
            for (Path f : tree.filter(Files::isRegularFile).toList()) {
                add(out, classes.relativize(f).toString(), Files.readAllBytes(f));
            }
            for (JarEntry e : lib.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                add(out, e.getName(), lib.getInputStream(e).readAllBytes());
            }
        }
    }

    private static void add(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
