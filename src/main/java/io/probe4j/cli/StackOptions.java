package io.probe4j.cli;

import io.probe4j.ProbeContext;
import io.probe4j.error.UserException;
import io.probe4j.event.EventStacks;
import io.probe4j.unwind.KernelUserStack;
import io.probe4j.trigger.HistField;
import io.probe4j.unwind.MappingsCache;
import io.probe4j.unwind.UserStack;
import io.probe4j.unwind.Unwinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Stack;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The stack options of {@code probe4j trace} (a picocli mixin): the kernel's trace options
 * {@code userstacktrace}, {@code sym-userobj} and {@code sym-addr} by their kernel names, and probe4j's
 * own unwind, {@code --ustack}. On the trap engine, {@link #capture} takes the stacks at each hit while
 * the thread is stopped.
 */
final class StackOptions {
    /** The kernel's trace options that change a uprobe event's output, as {@code options/} names them. */
    static final List<String> KNOWN = List.of("userstacktrace", "sym-userobj", "sym-addr");

    @Option(names = "--options", paramLabel = "OPTION[,OPTION...]", split = ",",
            description = "The kernel's trace options (tracefs options/): userstacktrace (each event's user stack, frame "
                    + "pointers only, at most 8 entries, as the kernel prints it), sym-userobj (name the object and offset "
                    + "of each address), sym-addr (the address too).")
    List<String> traceOptions = new ArrayList<>();

    @Option(names = "--ustack", paramLabel = "DEPTH", arity = "0..1", fallbackValue = "" + Unwinder.DEFAULT_MAX_DEPTH,
            parameterConsumer = DepthOnly.class,
            description = "probe4j's own user stack after each event (trap engine): unwound with the objects' .eh_frame, so "
                    + "also through code without frame pointers, symbolized as function+0xOFF (object), at most DEPTH "
                    + "frames (default ${FALLBACK-VALUE}); in JSON an array of frames.")
    Integer ustack;

    private Unwinder unwinder;
    private final MappingsCache maps = new MappingsCache();
    /** The mappings that name the objects of {@code sym-userobj} (read again when a stack leaves them). */
    private final MappingsCache userObjects = new MappingsCache();
    /** A hist trigger keys on {@code ustack}: every hit is unwound, shown or not. */
    private boolean histKeys;

    /** {@code --ustack} takes a following word as its DEPTH only if it is a number (else it is a definition). */
    static final class DepthOnly implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            String depth = !args.isEmpty() && args.peek().matches("\\d+") ? args.pop() : "" + Unwinder.DEFAULT_MAX_DEPTH;
            argSpec.setValue(Integer.parseInt(depth));
        }
    }

    /** Refuses options probe4j does not know before anything is set up. */
    void check(boolean kernelEngine) {
        for (String o : traceOptions) {
            if (!KNOWN.contains(o)) {
                throw new UserException("probe4j trace: --options: '" + o + "' is not a trace option probe4j knows (it knows "
                        + String.join(", ", KNOWN) + ")", 2);
            }
        }
        if (ustack != null && ustack < 1) {
            throw new UserException("probe4j trace: --ustack: a stack has at least one frame, not " + ustack, 2);
        }
        if (ustack != null && kernelEngine) {
            throw new UserException("probe4j trace: --ustack unwinds with the trap engine; the kernel engine's user stacks are "
                    + "--options userstacktrace (frame pointers only)", 2);
        }
    }

    /**
     * A hist trigger has the {@code ustack} key: the trap engine unwinds every hit (at least the key's
     * {@value HistField#STACK_DEPTH} frames) even without {@code --ustack}; the kernel engine cannot.
     */
    void histKeysUstack(boolean kernelEngine) {
        if (kernelEngine) {
            throw new UserException("probe4j trace: the hist key " + HistField.USTACK + " is probe4j's own unwind, on the trap "
                    + "engine; the kernel engine's user stacks are --options userstacktrace", 2);
        }
        histKeys = true;
    }

    /**
     * What asks for a user stack at each hit, for the line saying why the inline engine leaves the probes to
     * the trap engine (its trampolines record fetch arguments, not stacks); empty when nothing does.
     */
    String stacksWanted() {
        List<String> why = new ArrayList<>();
        if (traceOptions.contains("userstacktrace")) {
            why.add("--options userstacktrace");
        }
        if (ustack != null) {
            why.add("--ustack");
        }
        if (histKeys) {
            why.add("the hist key " + HistField.USTACK);
        }
        return String.join(", ", why);
    }

    /** The stacks of the stopped thread {@code ctx}, as the options ask. */
    EventStacks capture(ProbeContext ctx) {
        Optional<List<String>> kernel = Optional.empty();
        if (traceOptions.contains("userstacktrace")) {
            // The kernel walks from the pc its uprobe handler sees: a return probe's is the return address.
            long ip = ctx.isReturn() ? ctx.returnAddress() : ctx.address();
            long[] addresses = KernelUserStack.walk(ip, ctx.register("sp"), ctx.register("bp"), ctx::readAvailable);
            // sym-userobj names the objects as they are mapped now, as the kernel does
            kernel = Optional.of(KernelUserStack.text(addresses,
                    traceOptions.contains("sym-userobj") ? ctx.pid() : 0, traceOptions.contains("sym-addr"), userObjects));
        }
        Optional<UserStack> unwound = Optional.empty();
        if (ustack != null || histKeys) {
            if (unwinder == null) {
                unwinder = new Unwinder(Math.max(ustack != null ? ustack : 0, histKeys ? HistField.STACK_DEPTH : 0));
            }
            unwound = Optional.of(ctx.stack(unwinder, maps));
        }
        return new EventStacks(kernel, unwound, ustack != null);
    }
}
