/* A chain of calls main -> level1 -> ... -> level5 -> leaf for stack unwinding, built both with frame
 * pointers (-O0) and without (-O2 -fomit-frame-pointer). noipa keeps every function a real frame (no
 * inlining, cloning or sibling calls); the work after each call keeps the calls from being tail calls;
 * the variable-length array in level3 makes gcc address its frame through rbp even without frame
 * pointers, and the values live across calls make the callee-saved registers matter. */
#include <stdio.h>
#include <stdlib.h>

static volatile long sink;

__attribute__((noipa)) long leaf(long x) {
    sink = x;
    return x * 3 + 1;
}

__attribute__((noipa)) long level5(long a, long b) {
    long c = a * b, d = a + b, e = a - b;
    long r = leaf(c + d);
    return r + c * d + e;
}

__attribute__((noipa)) long level4(long n) {
    long s = 0;
    for (long i = 0; i < n; i++) {
        s += level5(i, n - i);
    }
    return s + 1;
}

__attribute__((noipa)) long level3(long n) {
    long buf[n + 1];
    for (long i = 0; i <= n; i++) {
        buf[i] = i;
        sink = buf[i];
    }
    return level4(buf[n]) + buf[0] + 2;
}

__attribute__((noipa)) long level2(long n) {
    return level3(n) * 2 + 3;
}

__attribute__((noipa)) long level1(long n) {
    return level2(n) + 4;
}

/* A recursion deeper than an unwinder's frame limit (with a second argument). */
__attribute__((noipa)) long deep(long n) {
    if (n == 0) {
        return leaf(1);
    }
    long r = deep(n - 1);
    return r + sink; /* the volatile read after the call keeps the recursion a recursion */
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 2;
    if (argc > 2) {
        printf("%ld\n", deep(atol(argv[2])));
        return 0;
    }
    printf("%ld\n", level1(n));
    return 0;
}
