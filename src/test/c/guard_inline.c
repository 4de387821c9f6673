/* One call of tick() and tock() per line read (both long enough for the inline engine's jump). */
#include <stdio.h>

__attribute__((noinline)) long tick(long n) {
    __asm__ volatile("" ::: "memory");
    return n * 1000 + 1;
}

__attribute__((noinline)) long tock(long n) {
    __asm__ volatile("" ::: "memory");
    return (n - 1) * 100003;
}

int main(void) {
    char line[64];
    long n = 0;
    while (fgets(line, sizeof line, stdin)) {
        n = tock(tick(n) / 1000 + 1) / 100003 + 1;
        printf("tick %ld\n", n);
        fflush(stdout);
    }
    printf("done %ld\n", n);
    return 0;
}
