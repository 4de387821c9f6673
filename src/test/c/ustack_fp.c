/* Call paths for user stack traces: main -> outer -> middle -> leaf, and a recursion deeper than the
 * kernel's 8 userstacktrace entries; built with -fno-omit-frame-pointer, the only stacks the kernel's
 * walk follows. Every step is deterministic, so runs without ASLR (setarch -R) have the same addresses.
 * It lingers a moment before exiting: the kernel names a stack's objects (sym-userobj) when trace_pipe
 * is read, and only while the process is still alive. */
#include <stdlib.h>
#include <unistd.h>

static volatile long sink;

__attribute__((noipa)) long leaf(long x) {
    sink = x;
    return x + 1;
}

__attribute__((noipa)) long middle(long x) {
    return leaf(x * 2) + 1;
}

__attribute__((noipa)) long outer(long x) {
    return middle(x + 1) + 1;
}

__attribute__((noipa)) long recurse(long n) {
    if (n == 0) {
        return leaf(n);
    }
    return recurse(n - 1) + sink;
}

int main(int argc, char **argv) {
    long depth = argc > 1 ? atol(argv[1]) : 12;
    long calls = argc > 3 ? atol(argv[3]) : 2; /* from the command line: the loop stays one call site */
    for (long i = 0; i < calls; i++) {
        outer(i);
        free(malloc(64 + i));
    }
    recurse(depth);
    usleep(argc > 2 ? atol(argv[2]) * 1000 : 300000);
    return 0;
}
