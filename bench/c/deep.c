/*
 * The user-stack benchmark's traced program. `deep N DEPTH` descends DEPTH calls, then calls
 * target(i, i + 1) N times in a tight loop and prints the loop's CLOCK_MONOTONIC time per call, as
 * target.c does. At each hit of target the stack has DEPTH + 6 frames: target, descend DEPTH + 1
 * times, main, __libc_start_call_main, __libc_start_main, _start. Built with frame pointers, so that
 * every stack walker (the kernel's, perf's fp, bpftrace's ustack) sees every frame, and each pays for
 * the same depth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline, noipa)) int target(int a, int b) { return a + b; }

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile unsigned sink;

__attribute__((noinline, noipa)) long descend(int depth, long n) {
    if (depth > 0) {
        long t = descend(depth - 1, n);
        sink += (unsigned) t; /* work after the call: not a tail call */
        return t;
    }
    long long t0 = now_ns();
    unsigned acc = 0;
    for (long i = 0; i < n; i++) {
        acc += (unsigned) target((int) i, (int) i + 1);
    }
    long long t1 = now_ns();
    sink = acc;
    printf("ns_per_call=%.3f calls=%ld loop_ns=%lld sum=%u\n", n > 0 ? (double) (t1 - t0) / n : 0.0, n, t1 - t0, acc);
    return t1 - t0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ITERATIONS DEPTH\n", argv[0]);
        return 2;
    }
    descend(atoi(argv[2]), atol(argv[1]));
    return 0;
}
