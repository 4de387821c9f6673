/* Fixture of the kernel-engine tests: functions with known arguments and return values.
 * kev_args [N [EXIT [WAIT]]]: N rounds of calls, prints a summary, exits with EXIT.
 * With a third argument, waits for a signal before exiting (its memory stays there for the tests to read). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct rec {
    unsigned a : 3, b : 5;
    int c;
    char tag[8];
    const char *names[2];
    unsigned short shorts[4];
};

struct rec g_rec = {5, 17, -3, "tag\001\377", {"p0", "p1"}, {1, 65535, 300, 7}};
const char *g_greeting = "hello";
volatile long sink;

int __attribute__((noinline)) add(int a, int b) {
    sink += a;
    return a + b;
}

/* Round 1 returns a string with a quote and " x=" in it; round 2 an unreadable pointer; round 3 a
 * string with a newline (its trace line spans two lines). */
const char *__attribute__((noinline)) greet(int i) {
    sink += i;
    return i == 1 ? "wor ld\" x=y" : i == 2 ? (const char *)8 : i == 3 ? "two\nlines" : g_greeting;
}

int __attribute__((noinline)) inspect(struct rec *r, const char *maybe) {
    sink += (long)maybe;
    return r->a + r->b;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 3;
    int status = argc > 2 ? atoi(argv[2]) : 0;
    int sum = 0;
    for (int i = 0; i < n; i++) {
        sum += add(i, -2 * i);
        greet(i % 4);
        inspect(&g_rec, i == 0 ? "" : 0);
    }
    printf("kev_args: sum=%d\n", sum);
    fprintf(stderr, "kev_args: done\n");
    fflush(stdout);
    if (argc > 3) {
        pause();
    }
    return status;
}
