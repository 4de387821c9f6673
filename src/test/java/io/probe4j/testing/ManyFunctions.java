package io.probe4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Programs with thousands of functions, generated here (assembly for the functions, so gcc takes a second,
 * not half a minute): {@code f0} ... {@code f<n-1>}, each a single out-of-line instruction or two before
 * {@code ret} (no {@code push}/{@code endbr64} the engine would emulate), every other one starting with a
 * RIP-relative load, so each probe needs an XOL slot and relocation. {@code fI(x)} is {@code 3x + I} for
 * even I and {@code 2x + I + 7} for odd I; {@code table[I]} points at {@code fI}.
 */
public final class ManyFunctions {
    private static final Path OUT = Path.of("target/fixtures").toAbsolutePath();

    private ManyFunctions() {
    }

    /** Calls each of the {@code n} functions once, with its number, and prints the sum of the results. */
    public static Path callEachOnce(int n) {
        return build("many_once_" + n, n, """
                #include <stdio.h>
                extern int (*const table[])(int);
                int main(void) {
                    long sum = 0;
                    for (int i = 0; i < %d; i++)
                        sum += table[i](i);
                    printf("%%ld\\n", sum);
                    return 0;
                }
                """.formatted(n));
    }

    /**
     * Two threads call the {@code n} functions over and over, checking every result (exit status 3 and a
     * message on a wrong one), until the file named by the first argument exists; then it prints {@code ok}.
     */
    public static Path callUntilStopped(int n) {
        return build("many_loop_" + n, n, """
                #include <pthread.h>
                #include <stdio.h>
                #include <stdlib.h>
                #include <unistd.h>
                extern int (*const table[])(int);
                static const char *stop;
                static void *run(void *arg) {
                    for (unsigned round = 0;; round++) {
                        for (int i = 0; i < %1$d; i++) {
                            int want = i %% 2 ? 2 * i + i + 7 : 3 * i + i;
                            if (table[i](i) != want) {
                                fprintf(stderr, "f%%d(%%d) returned a wrong value\\n", i, i);
                                exit(3);
                            }
                        }
                        if (round %% 64 == 0 && access(stop, F_OK) == 0)
                            return arg;
                    }
                }
                int main(int argc, char **argv) {
                    stop = argv[1];
                    pthread_t t[2];
                    for (int i = 0; i < 2; i++)
                        pthread_create(&t[i], 0, run, 0);
                    for (int i = 0; i < 2; i++)
                        pthread_join(t[i], 0);
                    printf("ok\\n");
                    return 0;
                }
                """.formatted(n), "-pthread");
    }

    private static synchronized Path build(String name, int n, String main, String... flags) {
        Path bin = OUT.resolve(name);
        if (Files.exists(bin)) {
            return bin;
        }
        try {
            Files.createDirectories(OUT);
            Path asm = OUT.resolve(name + "_functions.S");
            Path c = OUT.resolve(name + "_main.c");
            Files.writeString(asm, functions(n));
            Files.writeString(c, main);
            List<String> cmd = new java.util.ArrayList<>(List.of("gcc", "-O1", "-o", bin + ".tmp", c.toString(), asm.toString()));
            cmd.addAll(List.of(flags));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("building " + name + " failed: " + cmd + "\n" + out);
            }
            Files.move(Path.of(bin + ".tmp"), bin);
            return bin;
        } catch (IOException e) {
            throw new IllegalStateException("building " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("building " + name, e);
        }
    }

    private static String functions(int n) {
        StringBuilder b = new StringBuilder("\t.text\n");
        for (int i = 0; i < n; i++) {
            b.append("\t.globl f").append(i).append("\n\t.type f").append(i).append(", @function\nf").append(i).append(":\n");
            if (i % 2 == 1) {
                b.append("\tmovl bias(%rip), %eax\n\tleal ").append(i).append("(%rax,%rdi,2), %eax\n");
            } else {
                b.append("\tleal ").append(i).append("(%rdi,%rdi,2), %eax\n");
            }
            b.append("\tret\n\t.size f").append(i).append(", .-f").append(i).append('\n');
        }
        b.append("\t.data\n\t.globl bias\nbias:\t.long 7\n\t.section .data.rel.ro,\"aw\"\n\t.globl table\ntable:\n");
        for (int i = 0; i < n; i++) {
            b.append("\t.quad f").append(i).append('\n');
        }
        return b.append("\t.section .note.GNU-stack,\"\",@progbits\n").toString();
    }
}
