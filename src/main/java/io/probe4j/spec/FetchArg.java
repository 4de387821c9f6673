package io.probe4j.spec;

/**
 * One fetch argument: {@code [NAME=]FETCHARG[:TYPE]}.
 *
 * @param name  the argument's name; {@code argN} by position when none was given
 * @param text  the argument as typed after {@code NAME=}, type suffix included: the kernel prints
 *              it back verbatim in the normal form
 * @param fetch where the value comes from
 * @param type  how it is read and printed; the default ({@code x64}, or {@code string} for
 *              {@code $comm} and immediate strings) when none was given
 */
public record FetchArg(String name, String text, Fetch fetch, ArgType type) {
}
