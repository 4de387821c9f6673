/* Benchmark fixture: kev_loop N calls target(i, i+1) N times and prints the nanoseconds it took. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

volatile long sink;

int __attribute__((noinline)) target(int a, int b) {
    sink += a;
    return a + b;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
        target((int)i, (int)i + 1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%ld\n", (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec));
    return 0;
}
