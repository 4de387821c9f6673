/* The benchmark target: int target(int, int) called in a tight loop; the program times its own loop
 * and prints "ns_per_call X". target's first instruction is 3 bytes long (bench/c/minitracer.c
 * needs to know). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int target(int a, int b);
__asm__(".text\n"
        ".globl target\n.type target,@function\n"
        "target: lea (%rdi,%rsi), %eax\n"
        "ret\n"
        ".size target, .-target\n");

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long s = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        s += target((int) i, (int) i + 1);
    }
    double t1 = now();
    printf("ns_per_call %.1f\n", (t1 - t0) / n);
    fprintf(stderr, "sum %ld\n", s);
    return 0;
}
