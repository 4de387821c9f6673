/*
 * The benchmark's traced program. `target N` calls target(i, i + 1) N times in a tight loop and
 * prints how long the loop took per call (CLOCK_MONOTONIC); `target startup` prints the wall-clock
 * time (CLOCK_REALTIME, comparable with bash's $EPOCHREALTIME) at main entry, calls target once,
 * waits a little so a tracer's first event can arrive before the program ends, and prints the time
 * again at exit.
 *
 * The first instruction of target is what a probe displaces, so it decides how the kernel (and
 * probe4j's trap engine) executes it; each variant is built from this file with -DVARIANT_...:
 *   plain  C, gcc -O2: `lea (%rdi,%rsi,1),%eax` (executed out of line, single-stepped)
 *   rip    `mov bench_bias(%rip),%eax`          (RIP-relative: must be re-targeted out of line)
 *   push   `push %rbx`                          (emulated by the kernel)
 *   nop5   `nopl 0x0(%rax,%rax,1)`              (5-byte nop: 6.18's optimized uprobe path)
 *   nop5s  the same, but target(const char *s, int b) is called with a string (a string argument probe)
 * The variants are written in assembly so the compiler cannot change their first instruction. The plain
 * C one built with -fpatchable-function-entry=5 starts with five 1-byte nops, which uftrace patches.
 *
 * `target N T` runs the loop in T threads at once, N calls each, and prints the CPU time per call
 * (CLOCK_THREAD_CPUTIME_ID of every thread, summed, over N * T): what a hit costs when T threads hit
 * the probe together, apart from how many cores there are to run them.
 *
 * `target N warm W` first makes W calls on each CPU it may run on (pinned to one CPU after the other),
 * in slices of 10,000 with a 10 ms pause after each so that a reader keeps up, then pauses 300 ms and
 * times N calls as `target N` does: a tracer's buffers for every CPU have been written through once
 * (the pages of a ring are touched), and are empty again, before the timed calls.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

int bench_bias = 0;
#if defined(VARIANT_NOP5S)
const char *bench_string = "probe4j bench string";
int target(const char *s, int b);
#define FIRST_ARG(i) bench_string
#else
int target(int a, int b);
#define FIRST_ARG(i) ((int) (i))
#endif

#if defined(VARIANT_RIP)
__asm__(".text\n.globl target\n.type target,@function\ntarget:\n"
        "  movl bench_bias(%rip), %eax\n  addl %edi, %eax\n  addl %esi, %eax\n  ret\n"
        ".size target, .-target\n");
#elif defined(VARIANT_PUSH)
__asm__(".text\n.globl target\n.type target,@function\ntarget:\n"
        "  pushq %rbx\n  leal (%rdi,%rsi,1), %eax\n  popq %rbx\n  ret\n"
        ".size target, .-target\n");
#elif defined(VARIANT_NOP5S)
__asm__(".text\n.globl target\n.type target,@function\ntarget:\n"
        "  .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n  movsbl (%rdi), %eax\n  addl %esi, %eax\n  ret\n"
        ".size target, .-target\n");
#elif defined(VARIANT_NOP5)
__asm__(".text\n.globl target\n.type target,@function\ntarget:\n"
        "  .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n  leal (%rdi,%rsi,1), %eax\n  ret\n"
        ".size target, .-target\n");
#else
__attribute__((noinline, noipa)) int target(int a, int b) { return a + b; }
#endif

static long long now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct loop {
    long n;
    unsigned acc;
    long long cpu_ns;
};

static void *run_loop(void *arg) {
    struct loop *l = arg;
    long long c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    unsigned acc = 0;
    for (long i = 0; i < l->n; i++) {
        acc += (unsigned) target(FIRST_ARG(i), (int) i + 1);
    }
    l->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
    l->acc = acc;
    return NULL;
}

/* `target N T`: T threads, N calls each, CPU time per call. */
static int threads(long n, int t) {
    pthread_t tid[64];
    struct loop loops[64];
    if (t < 1 || t > 64) {
        fprintf(stderr, "threads: 1 to 64\n");
        return 2;
    }
    for (int k = 0; k < t; k++) {
        loops[k] = (struct loop) {n, 0, 0};
        if (pthread_create(&tid[k], NULL, run_loop, &loops[k]) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    long long cpu = 0;
    unsigned acc = 0;
    for (int k = 0; k < t; k++) {
        pthread_join(tid[k], NULL);
        cpu += loops[k].cpu_ns;
        acc += loops[k].acc;
    }
    printf("ns_per_call=%.3f calls=%ld threads=%d cpu_ns=%lld sum=%u\n", (double) cpu / ((double) n * t), n, t, cpu, acc);
    printf("end_realtime_ns=%lld\n", now_ns(CLOCK_REALTIME));
    fflush(stdout);
    return 0;
}

/* `target N warm W`: W untimed calls on each allowed CPU, in slices with pauses, then a rest. */
static void warm_up(long w) {
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        perror("sched_getaffinity");
        exit(1);
    }
    volatile unsigned sink = 0;
    struct timespec slice_pause = {0, 10 * 1000000L}, rest = {0, 300 * 1000000L};
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) {
            continue;
        }
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0) {
            perror("sched_setaffinity");
            exit(1);
        }
        for (long done = 0; done < w; done += 10000) {
            for (long i = done; i < done + 10000 && i < w; i++) {
                sink += (unsigned) target(FIRST_ARG(i), (int) i + 1);
            }
            nanosleep(&slice_pause, NULL);
        }
    }
    if (sched_setaffinity(0, sizeof allowed, &allowed) != 0) {
        perror("sched_setaffinity");
        exit(1);
    }
    nanosleep(&rest, NULL);
}

int main(int argc, char **argv) {
    long long main_ns = now_ns(CLOCK_REALTIME);
    if (argc == 2 && strcmp(argv[1], "startup") == 0) {
        printf("main_realtime_ns=%lld\n", main_ns);
        fflush(stdout);
        volatile int r = target(FIRST_ARG(1), 2);
        (void) r;
        struct timespec pause = {0, 300 * 1000000L};
        nanosleep(&pause, NULL);
        printf("end_realtime_ns=%lld\n", now_ns(CLOCK_REALTIME));
        fflush(stdout);
        return 0;
    }
    int warm = argc == 4 && strcmp(argv[2], "warm") == 0;
    if (argc != 2 && argc != 3 && !warm) {
        fprintf(stderr, "usage: %s ITERATIONS [THREADS | warm CALLS] | startup\n", argv[0]);
        return 2;
    }
    long n = atol(argv[1]);
    printf("main_realtime_ns=%lld\n", main_ns);
    fflush(stdout);
    if (argc == 3) {
        return threads(n, atoi(argv[2]));
    }
    if (warm) {
        warm_up(atol(argv[3]));
    }
    long long t0 = now_ns(CLOCK_MONOTONIC);
    unsigned acc = 0;
    for (long i = 0; i < n; i++) {
        acc += (unsigned) target(FIRST_ARG(i), (int) i + 1);
    }
    long long t1 = now_ns(CLOCK_MONOTONIC);
    printf("ns_per_call=%.3f calls=%ld loop_ns=%lld sum=%u\n", n > 0 ? (double) (t1 - t0) / n : 0.0, n, t1 - t0, acc);
    printf("end_realtime_ns=%lld\n", now_ns(CLOCK_REALTIME));
    fflush(stdout);
    return 0;
}
