/*
 * Waits, calls getenv in a burst, then at once execs argv[1] with the rest of the arguments: the last hits are
 * likely still in the inline engine's rings at the exec stop. Built with libm loaded before libc
 * (-Wl,--no-as-needed -lm), so that libc (and getenv) lies elsewhere than in a program that loads libc
 * alone, with randomisation off too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PROGRAM [ARG]...\n", argv[0]);
        return 2;
    }
    usleep(50000); /* what came before is decoded by now: the burst starts a batch of the reader's */
    int found = 0;
    for (int i = 0; i < 300; i++) {
        found += getenv(i % 2 ? "PROBE4J_BURST_ODD" : "PROBE4J_BURST_EVEN") != NULL;
    }
    fflush(stdout);
    execv(argv[1], argv + 1);
    perror("execv");
    return 127 + found;
}
