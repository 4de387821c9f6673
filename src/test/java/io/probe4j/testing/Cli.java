package io.probe4j.testing;

import io.probe4j.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** Runs the {@code probe4j} command line in-process, capturing what it prints. */
public final class Cli {
    /** The exit status and everything printed on stdout and stderr. */
    public record Result(int status, String out, String err) {
    }

    private Cli() {
    }

    public static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            int status = Main.run(args);
            System.out.flush();
            System.err.flush();
            return new Result(status, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
