/* Built with -static: no loader. A constructor and main call a probed recursion. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) long fact(long n) {
    __asm__ volatile("" ::: "memory");
    return n <= 1 ? 1 : n * fact(n - 1);
}

static long early;

__attribute__((constructor)) static void before_main(void) {
    early = fact(2);
}

int main(int argc, char **argv) {
    printf("%ld %ld\n", early, fact(argc > 1 ? atoi(argv[1]) : 3));
    return 4;
}
