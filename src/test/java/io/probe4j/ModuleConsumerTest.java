package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * probe4j as a library on the module path: a program of its own module, compiled and run with the
 * JDK's {@code javac} and {@code java} against {@code target/probe4j.jar} (the jar {@code ./probe4j}
 * runs), uses the API and the definition language; one that imports an internal package does not
 * compile.
 */
@Tag("integration")
@Timeout(120)
class ModuleConsumerTest {
    private static final Path JAR = Path.of("target/probe4j.jar");
    private static final Path JDK = Path.of(System.getProperty("java.home"));

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    @BeforeAll
    static void theJarIsBuilt() throws IOException {
        FileTime built = Files.exists(JAR) ? Files.getLastModifiedTime(JAR) : FileTime.fromMillis(0);
        Path classes = Path.of("target/classes");
        try (Stream<Path> tree = Files.walk(classes)) {
            List<Path> newer = tree.filter(Files::isRegularFile).filter(f -> lastModified(f).compareTo(built) > 0).toList();
            assertEquals(List.of(), newer, JAR + " is missing or older than the classes: `mvn package` makes it (`mvn verify` does)");
        }
    }

    private static FileTime lastModified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aModuleUsesTheApiAndTheDefinitionLanguage() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        Path src = consumer("""
                package consumer;

                import io.probe4j.Launch;
                import io.probe4j.ProbeInfo;
                import io.probe4j.Tracer;
                import io.probe4j.spec.NormalForm;
                import io.probe4j.spec.Parser;
                import java.nio.file.Path;
                import java.util.List;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        System.out.println(NormalForm.of(Parser.kernel().parseLine("p:grp/ev /bin/true:4096 %di").orElseThrow()));
                        Path bin = Path.of(args[0]);
                        try (Tracer t = Tracer.launch(Launch.of(bin.toString(), "2").withStdout(Path.of("/dev/null")))) {
                            t.register(ProbeInfo.symbol(bin, "add")
                                    .preHandler(c -> System.out.println("add(" + c.register("di") + ", " + c.register("si") + ")"))
                                    .returnHandler(c -> {
                                        System.out.println("= " + c.returnValue());
                                        guardian();
                                    })
                                    .build());
                            System.out.println("status " + t.run());
                        }
                    }

                    /** The SIGKILL guardian, a JVM of its own, found the module (it would have ended at once otherwise). */
                    static void guardian() throws InterruptedException {
                        Thread.sleep(1500);
                        System.out.println("guardian: " + ProcessHandle.current().children()
                                .filter(p -> p.info().arguments().map(List::of).orElse(List.of())
                                        .contains("io.probe4j/io.probe4j.engine.trap.Guardian"))
                                .filter(ProcessHandle::isAlive).count());
                    }
                }
                """);
        assertEquals(new Run(0, "", ""), javac(src), "compiles on the module path");
        Run run = run("java", "--enable-native-access=io.probe4j", "--module-path", JAR + ":" + dir.resolve("classes"),
                "--module", "consumer/consumer.Main", bin.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("""
                p:grp/ev /bin/true:0x0000000000001000 arg1=%di
                add(0, 0)
                = 0
                guardian: 1
                add(1, 2)
                = 3
                guardian: 1
                status 7
                """, run.out());
        // native access is granted to the module: no JVM warning (stderr may carry probe4j's note about an
        // earlier probe4j on this machine that was killed, which any run shows once)
        assertEquals(List.of(), run.err().lines().filter(l -> l.startsWith("WARNING")).toList(), run.err());
    }

    @Test
    void anInternalPackageIsNotVisible() throws Exception {
        Path src = consumer("""
                package consumer;

                import io.probe4j.sys.Procfs;

                public class Main {
                    public static void main(String[] args) {
                        System.out.println(Procfs.maps(1));
                    }
                }
                """);
        Run javac = javac(src);
        assertNotEquals(0, javac.status());
        assertTrue(javac.err().contains("error: package io.probe4j.sys is not visible")
                && javac.err().contains("(package io.probe4j.sys is declared in module io.probe4j, which does not export it)"),
                javac.err());
    }

    /** A module {@code consumer} requiring io.probe4j, with {@code main} as its class consumer.Main. */
    private Path consumer(String main) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("module-info.java"), "module consumer { requires io.probe4j; }\n");
        Files.writeString(src.resolve("consumer/Main.java"), main);
        return src;
    }

    private Run javac(Path src) throws Exception {
        return run("javac", "--module-path", JAR.toString(), "-d", dir.resolve("classes").toString(),
                src.resolve("module-info.java").toString(), src.resolve("consumer/Main.java").toString());
    }

    private Run run(String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JDK.resolve("bin").resolve(tool).toString()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve(tool + ".out");
        Path err = dir.resolve(tool + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int status = p.waitFor();
        return new Run(status, Files.readString(out), Files.readString(err));
    }
}
