package io.probe4j.event;

import io.probe4j.unwind.UserStack;
import java.util.List;
import java.util.Optional;

/**
 * The user stacks an event carries, as the trace's options asked for them.
 *
 * @param kernel  the kernel's {@code userstacktrace} entry, each line's text after {@code " => "} exactly
 *                as the kernel prints it ({@code " <00005555555551c6>"}, {@code "/bin/prog[+0x1c6]"});
 *                empty without the option
 * @param unwound probe4j's own unwind ({@code --ustack}, or a {@code ustack} hist key): every frame, symbolized;
 *                empty without either
 * @param shown   whether the output shows {@code unwound} ({@code --ustack}), or only a hist key uses it
 */
public record EventStacks(Optional<List<String>> kernel, Optional<UserStack> unwound, boolean shown) {
    /** No stacks: the options were off. */
    public static final EventStacks NONE = new EventStacks(Optional.empty(), Optional.empty(), false);

    public EventStacks {
        kernel = kernel.map(List::copyOf);
    }

    /** The unwound stack if the output shows it. */
    public Optional<UserStack> shownUnwound() {
        return shown ? unwound : Optional.empty();
    }

    public EventStacks withKernel(List<String> lines) {
        return new EventStacks(Optional.of(lines), unwound, shown);
    }
}
