/* The same costs as the Java benchmark, measured in C: PTRACE_GETREGS, process_vm_readv and an
 * int3 stop round trip (PTRACE_CONT, trap, waitpid). Prints one "name ns" line each. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static char target[4096];

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    long traps = argc > 2 ? atol(argv[2]) : 20000;
    pid_t c = fork();
    if (c == 0) {
        raise(SIGSTOP);
        for (;;) __asm__ volatile("int3");
    }
    int st;
    waitpid(c, &st, WUNTRACED);
    ptrace(PTRACE_SEIZE, c, 0, 0);
    kill(c, SIGCONT);
    waitpid(c, &st, 0); /* the seize re-trap */
    struct user_regs_struct regs;
    double t0 = now();
    for (long i = 0; i < n; i++) ptrace(PTRACE_GETREGS, c, 0, &regs);
    printf("getregs %.0f\n", (now() - t0) / n);
    char buf[4096];
    struct iovec l = {buf, 8}, r = {target, 8};
    t0 = now();
    for (long i = 0; i < n; i++) process_vm_readv(c, &l, 1, &r, 1, 0);
    printf("process_vm_readv_8 %.0f\n", (now() - t0) / n);
    l.iov_len = r.iov_len = 4096;
    t0 = now();
    for (long i = 0; i < n; i++) process_vm_readv(c, &l, 1, &r, 1, 0);
    printf("process_vm_readv_4096 %.0f\n", (now() - t0) / n);
    ptrace(PTRACE_CONT, c, 0, 0); /* SIGCONT delivery-stop and on */
    t0 = now();
    long got = 0;
    while (got < traps) {
        waitpid(c, &st, 0);
        if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP && (st >> 16) == 0) got++;
        ptrace(PTRACE_CONT, c, 0, 0);
    }
    printf("int3_round_trip %.0f\n", (now() - t0) / traps);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    return 0;
}
