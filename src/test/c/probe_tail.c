/* Tail calls between two functions with return probes (the callee returns straight to the caller's
 * caller), and recursion deeper than the kernel's 64 pending returns per thread. */
#include <stdio.h>
#include <stdlib.h>

long tail_b(long x);
long tail_a(long x);
__asm__(".text\n"
        ".globl tail_b\n.type tail_b,@function\n"
        "tail_b: lea 100(%rdi), %rax\n"
        "ret\n"
        ".size tail_b, .-tail_b\n"
        ".globl tail_a\n.type tail_a,@function\n"
        "tail_a: add $1, %rdi\n"
        "jmp tail_b\n"
        ".size tail_a, .-tail_a\n");

__attribute__((noinline)) long rec(long n) {
    if (n == 0) {
        return 0;
    }
    long r = rec(n - 1) + 1;
    __asm__ volatile("" ::: "memory"); /* not a tail call */
    return r;
}

int main(int argc, char **argv) {
    int depth = argc > 1 ? atoi(argv[1]) : 70;
    printf("tail %ld %ld\n", tail_a(1), tail_a(2));
    printf("rec %ld\n", rec(depth));
    return 0;
}
