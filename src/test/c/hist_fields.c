/* Fixture of the hist trigger tests: record() is called N times (default 240) with numbers that a
 * deterministic generator spreads over every magnitude (some negative), names from a small set, and a
 * small number; its return value is the number xor the sequence number. tick() follows each call, with the
 * sequence number (a second place to probe, hit after the first). hist_fields [N] */
#include <stdio.h>
#include <stdlib.h>

static const char *names[] = {"alpha", "beta", "gamma", "delta", "", "epsilon", "zeta-zeta", "alpha"};
volatile long sink;

long __attribute__((noinline)) record(unsigned seq, long v, const char *name, unsigned small) {
    sink += v + (long)name + small;
    return v ^ seq;
}

void __attribute__((noinline)) tick(unsigned seq) {
    sink += seq;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 240;
    unsigned long x = 12345;
    for (int i = 0; i < n; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        long v = (long)(x >> (x >> 58));
        if (i % 7 == 3) {
            v = -v;
        }
        record(i, v, names[(x >> 33) % 8], (unsigned)(x >> 40) & 0xff);
        tick(i);
    }
    printf("hist_fields: %d calls\n", n);
    return 0;
}
