package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.engine.trap.LaunchSpec;
import io.probe4j.sys.Spawn;
import io.probe4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ProbeApiTest {
    static Path out;

    static LaunchSpec spec(Path bin, String... args) throws Exception {
        out = Files.createTempFile("probe_out", ".txt");
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        cmd.addAll(List.of(args));
        return new LaunchSpec(cmd, System.getenv(), new Spawn.Stdio("/dev/null", out.toString(), "/dev/null"));
    }

    @Test
    void preHandlerSeesArgumentsAndReturnHandlerTheResult() throws Exception {
        Path bin = Fixtures.compile("probe_calls.c");
        List<String> seen = new ArrayList<>();
        int status;
        try (Tracer t = Tracer.launch(spec(bin, "4"))) {
            t.register(ProbeInfo.symbol(bin, "add")
                    .preHandler(c -> seen.add("add(" + c.register("di") + "," + c.register("si") + ")"))
                    .returnHandler(c -> seen.add("=" + c.returnValue()))
                    .build());
            status = t.run();
        }
        assertEquals(List.of("add(0,0)", "=0", "add(1,2)", "=3", "add(2,4)", "=6", "add(3,6)", "=9"), seen);
        assertEquals(7, status);
        assertEquals("sum 18 fact 120\n", Files.readString(out));
    }
}
