/* Fixture of the event-filter tests: record() is called once per sample, with a sequence number, the
 * sample's number (in %si, read as every integer type), its name (a string, also read as bytes), a bit
 * pattern (for bitfields) and a pair of names (a string array). filter_fields [ROUNDS]. */
#include <stdio.h>
#include <stdlib.h>

struct sample {
    long v;
    const char *name;
};

static const struct sample samples[] = {
    {0, ""}, {1, "a"}, {-1, "alpha"}, {127, "beta"}, {128, "alphabet"}, {255, "gamma.c"},
    {256, "x[1]"}, {-128, "*star"}, {-129, "back\\slash"}, {65535, "Hello World"}, {65536, "hello"},
    {32767, "hel"}, {-32768, "lo"}, {0x7fffffff, "aaaa"}, {0x80000000L, "abcabc"}, {-2147483647L - 1, "1abc"},
    {0xffffffffL, "?"}, {0x100000000L, "!bang"}, {0x7fffffffffffffffL, "lib.so.6"},
    {(long)0x8000000000000000UL, "libc.so.6"}, {42, "sh"}, {1024, "python3"}, {4096, "[x]"}, {-4096, "a-b"},
    {3, "tab\there"}, {7, "UPPER"}, {0x5a5a, "a*b"}, {0x1234, "filter_fields"}, {-2, "abc"}, {2, "ab"},
    {0x0101, "\x01\x01"}, {513, "\xe9t\xe9"},
};

#define N (sizeof samples / sizeof samples[0])

static const char *pairs[N + 1];
volatile long sink;

unsigned __attribute__((noinline)) record(unsigned seq, long v, const char *name, unsigned long bits,
                                          const char *const *pair) {
    sink += v + (long)name + (long)bits + (long)pair;
    return seq * 3;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    for (unsigned i = 0; i < N; i++) {
        pairs[i] = samples[i].name;
    }
    pairs[N] = "end";
    unsigned seq = 0;
    for (int r = 0; r < rounds; r++) {
        for (unsigned i = 0; i < N; i++) {
            record(seq++, samples[i].v, samples[i].name, (unsigned long)samples[i].v * 0x9e3779b97f4a7c15UL, &pairs[i]);
        }
    }
    printf("filter_fields: %u calls\n", seq);
    return 0;
}
