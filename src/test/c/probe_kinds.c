/* One function in assembly with a label (k_*) on an instruction of every kind the x86-64 decoder
 * classifies: push, RIP-relative load and read-modify-write, lea, test, jcc, call rel32, call *reg,
 * jmp, nop, pop, ret. Probes go on the labels' file offsets. */
#include <stdio.h>
#include <stdlib.h>

long g_counter = 5;

__attribute__((noinline, used)) long helper(long x) {
    return x + 1;
}

long kinds(long x);
__asm__(".text\n"
        ".globl kinds\n.type kinds,@function\n"
        "kinds:\n"
        ".globl k_push\nk_push: push %rbx\n"
        ".globl k_rip\nk_rip: mov g_counter(%rip), %rax\n"
        ".globl k_riprmw\nk_riprmw: addq $1, g_counter(%rip)\n"
        ".globl k_lea\nk_lea: lea helper(%rip), %rbx\n"
        ".globl k_test\nk_test: test %rdi, %rdi\n"
        ".globl k_jcc\nk_jcc: jz 1f\n"
        ".globl k_call\nk_call: call helper\n"
        "mov %rax, %rdi\n"
        ".globl k_icall\nk_icall: call *%rbx\n"
        ".globl k_jmp\nk_jmp: jmp 2f\n"
        "1: mov $-1, %rax\n"
        "2:\n"
        ".globl k_nop\nk_nop: nopl 0(%rax)\n"
        ".globl k_pop\nk_pop: pop %rbx\n"
        ".globl k_ret\nk_ret: ret\n"
        ".size kinds, .-kinds\n");

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 3;
    for (long i = 0; i < n; i++) {
        printf("kinds(%ld) = %ld\n", i, kinds(i));
    }
    printf("counter %ld\n", g_counter);
    return 0;
}
