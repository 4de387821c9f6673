/*
 * Test harness for io.probe4j.arch.x86_64: executes machine code the Java side produced, so
 * relocation and emulation are checked against the real CPU. One command per stdin line:
 *
 *   info                          fn/data/stack addresses and the %fs base of this process
 *   map ADDR LEN                  mmap RWX at exactly ADDR (MAP_FIXED_NOREPLACE)
 *   poke ADDR HEX                 write bytes
 *   peek ADDR LEN                 read bytes (hex)
 *   call ADDR ARG                 call long f(long), print the result
 *   calld ADDR ARG                call double f(double)
 *   step ADDR STOP MAX REGS...    set the 16 GPRs (rax rcx rdx rbx rsp rbp rsi rdi r8..r15, hex)
 *                                 and flags, run from ADDR single-stepping (TF) until rip == STOP
 *                                 or MAX instructions ran; print rip, the 16 GPRs and flags
 *
 * step works by signal frames: SIGUSR1's handler swaps the register set in its ucontext, so
 * sigreturn loads every register exactly; SIGTRAP after each instruction counts and, when done,
 * records the registers and puts the saved context back. Both run on an alternate stack so the
 * code under test owns its stack.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/* ---- functions whose instructions the tests relocate (kept out of line, RIP-relative data) ---- */
long x86r_counter = 5;
long x86r_table[8] = {3, 1, 4, 1, 5, 9, 2, 6};
volatile double x86r_scale = 3.5;

__attribute__((noinline)) long x86r_globals(long x) {
    x86r_counter += x;
    return x86r_table[x & 7] * 10 + x86r_counter;
}

__attribute__((noinline)) long x86r_helper(long x) {
    return x * 7 + 1;
}

__attribute__((noinline)) long x86r_branchy(long x) {
    long s = 0;
    for (long i = 0; i < x; i++) {
        s += (i & 1) ? x86r_helper(i) : x86r_table[i & 7];
    }
    return s > 100 ? s - 100 : s;
}

__attribute__((noinline)) long x86r_switch(long x) {
    switch (x & 7) {
    case 0: return x86r_table[1] + 11;
    case 1: return x * 3;
    case 2: return x86r_counter - x;
    case 3: return x ^ 0x55;
    case 4: return x86r_helper(x);
    case 5: return -x;
    case 6: return x << 4;
    default: return 42;
    }
}

__attribute__((noinline)) double x86r_float(double x) {
    return x * x86r_scale + 1.25;
}

/* ---- single-step machinery ---- */
static const int GREG[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                             REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
static greg_t saved[NGREG];
static unsigned long want[16], want_flags, start_ip, stop_ip, out[16], out_flags, out_ip;
static long max_steps, steps;

static void on_usr1(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    memcpy(saved, uc->uc_mcontext.gregs, sizeof saved);
    for (int i = 0; i < 16; i++) uc->uc_mcontext.gregs[GREG[i]] = want[i];
    uc->uc_mcontext.gregs[REG_EFL] = (want_flags & 0xcd5) | 0x202 | 0x100; /* arithmetic flags, IF, TF */
    uc->uc_mcontext.gregs[REG_RIP] = start_ip;
    steps = 0;
}

static void on_trap(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    steps++;
    unsigned long ip = uc->uc_mcontext.gregs[REG_RIP];
    if (ip != stop_ip && steps < max_steps) return; /* TF is still set: one more instruction */
    for (int i = 0; i < 16; i++) out[i] = uc->uc_mcontext.gregs[GREG[i]];
    out_flags = uc->uc_mcontext.gregs[REG_EFL] & ~0x100UL;
    out_ip = ip;
    memcpy(uc->uc_mcontext.gregs, saved, sizeof saved);
}

static int unhex(const char *h, unsigned char *buf, size_t max) {
    size_t n = 0;
    while (h[0] && h[1] && n < max) {
        unsigned v;
        if (sscanf(h, "%2x", &v) != 1) return -1;
        buf[n++] = v;
        h += 2;
    }
    return n;
}

static char stack_area[1 << 16] __attribute__((aligned(64)));

int main(void) {
    static char alt[1 << 16];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
    sigaltstack(&ss, 0);
    struct sigaction sa = {0};
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sa.sa_sigaction = on_usr1;
    sigaction(SIGUSR1, &sa, 0);
    sa.sa_sigaction = on_trap;
    sigaction(SIGTRAP, &sa, 0);
    setvbuf(stdout, 0, _IOLBF, 0);

    static char line[1 << 16];
    static unsigned char buf[1 << 15];
    while (fgets(line, sizeof line, stdin)) {
        char cmd[16];
        unsigned long a = 0, b = 0;
        if (sscanf(line, "%15s", cmd) != 1) continue;
        if (!strcmp(cmd, "info")) {
            printf("fn x86r_globals %lx\nfn x86r_branchy %lx\nfn x86r_switch %lx\nfn x86r_float %lx\n"
                   "fn x86r_helper %lx\ndata x86r_counter %lx\nstack %lx %x\nfsbase %lx\nend\n",
                   (unsigned long)x86r_globals, (unsigned long)x86r_branchy, (unsigned long)x86r_switch,
                   (unsigned long)x86r_float, (unsigned long)x86r_helper, (unsigned long)&x86r_counter,
                   (unsigned long)stack_area, (unsigned)sizeof stack_area, (unsigned long)__builtin_thread_pointer());
        } else if (!strcmp(cmd, "map") && sscanf(line, "%*s %lx %lx", &a, &b) == 2) {
            void *p = mmap((void *)a, b, PROT_READ | PROT_WRITE | PROT_EXEC,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (p == MAP_FAILED || (unsigned long)p != a) printf("error mmap %lx\n", a);
            else printf("mapped %lx\n", a);
        } else if (!strcmp(cmd, "poke")) {
            char hex[sizeof line];
            if (sscanf(line, "%*s %lx %s", &a, hex) != 2) { printf("error poke\n"); continue; }
            int n = unhex(hex, buf, sizeof buf);
            memcpy((void *)a, buf, n);
            __builtin___clear_cache((char *)a, (char *)a + n);
            printf("ok %d\n", n);
        } else if (!strcmp(cmd, "peek") && sscanf(line, "%*s %lx %lx", &a, &b) == 2) {
            for (unsigned long i = 0; i < b; i++) printf("%02x", ((unsigned char *)a)[i]);
            printf("\n");
        } else if (!strcmp(cmd, "call")) {
            long arg;
            sscanf(line, "%*s %lx %ld", &a, &arg);
            printf("ret %ld\n", ((long (*)(long))a)(arg));
        } else if (!strcmp(cmd, "calld")) {
            double arg;
            sscanf(line, "%*s %lx %lf", &a, &arg);
            printf("ret %.17g\n", ((double (*)(double))a)(arg));
        } else if (!strcmp(cmd, "step")) {
            int n = sscanf(line, "%*s %lx %lx %ld %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx",
                           &start_ip, &stop_ip, &max_steps, &want[0], &want[1], &want[2], &want[3], &want[4],
                           &want[5], &want[6], &want[7], &want[8], &want[9], &want[10], &want[11], &want[12],
                           &want[13], &want[14], &want[15], &want_flags);
            if (n != 20) { printf("error step wants 20 fields, got %d\n", n); continue; }
            raise(SIGUSR1);
            printf("regs %lx", out_ip);
            for (int i = 0; i < 16; i++) printf(" %lx", out[i]);
            printf(" %lx %ld\n", out_flags, steps);
        } else {
            printf("error unknown command %s\n", cmd);
        }
    }
    return 0;
}
