/**
 * probe4j: probes on live Linux processes from Java, what the kernel's uprobes do, and the kernel's
 * {@code uprobe_events} definition language with its event filters and triggers.
 *
 * <p>The API a program uses: {@link io.probe4j} (a {@link io.probe4j.Tracer} over launched or attached
 * processes, probes and their handlers), with the types its signatures return or throw:
 * {@link io.probe4j.error} (the error of a user's mistake) and {@link io.probe4j.unwind} (the stacks
 * of {@link io.probe4j.ProbeContext#stack()}). The kernel's tracing languages, usable on their own:
 * {@link io.probe4j.spec} (definitions: parse, check, normal form), {@link io.probe4j.event} (the
 * events a definition records, and their text and JSON formats), {@link io.probe4j.filter} (event
 * filters) and {@link io.probe4j.trigger} (triggers and hist tables). Everything else (the engines,
 * process control, ELF, the x86-64 decoder, the FFM layer, the command line) is internal.
 *
 * <p>The FFM layer calls native code: run with {@code --enable-native-access=io.probe4j}.
 */
module io.probe4j {
    // sun.misc.Signal: the command line's SIGINT/SIGTERM/SIGHUP handling
    requires jdk.unsupported;
    // the command line; static because the shaded jar (probe4j.jar) carries picocli's classes inside
    // this module, and an API user needs neither
    requires static info.picocli;

    exports io.probe4j;
    exports io.probe4j.error;
    exports io.probe4j.unwind;
    exports io.probe4j.spec;
    exports io.probe4j.event;
    exports io.probe4j.filter;
    exports io.probe4j.trigger;

    // picocli fills the commands' option fields by reflection (when it is a module of its own)
    opens io.probe4j.cli to info.picocli;
}
