/*
 * USDT probes with semaphores (<sys/sdt.h>), driven by its arguments, one step each:
 *   tick:N      fire demo:tick N times, each only while its semaphore is set (as real programs guard
 *               probes whose arguments cost something); print the semaphore and what fired
 *   plain:N     call usdt_plain.c's probes (no semaphores) N times
 *   wait        read a line from standard input (the test's go-ahead)
 *   fork        fork; the child runs the remaining steps, the parent waits for it, then runs them too
 *   exec        exec this program with the remaining steps
 *   dlopen:LIB  load LIB, call its usdt_lib_call (a probe with a semaphore of its own)
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

unsigned short demo_tick_semaphore __attribute__((unused)) __attribute__((section(".probes")));
unsigned short demo_step_semaphore __attribute__((unused)) __attribute__((section(".probes")));
unsigned short demo_name_semaphore __attribute__((unused)) __attribute__((section(".probes")));

long demo_total = 40;                 /* read through %rip by demo:step at -O2 */
struct point { int x; long y; } demo_point = {3, -7};

void plain_probes(int i);

static const char *names[] = {"zero", "one", "two", "three"};

__attribute__((noinline)) static void tick(int i, struct point *p) {
    if (demo_tick_semaphore) {
        long big = 1234567890123L * (i + 1);
        short neg = (short) -(i + 5);
        char c = (char) ('a' + i);
        unsigned char uc = (unsigned char) (250 + i);
        DTRACE_PROBE7(demo, tick, i, big, neg, c, uc, p->x, p->y);
    }
    if (demo_name_semaphore) {
        DTRACE_PROBE2(demo, name, i, names[i & 3]);   /* an indexed operand at -O2 */
    }
}

__attribute__((noinline)) static void step(const char *what) {
    demo_total += 2;
    DTRACE_PROBE3(demo, step, what, demo_total, -1);
}

int main(int argc, char **argv) {
    for (int a = 1; a < argc; a++) {
        char *s = argv[a];
        step(s);
        if (strncmp(s, "tick:", 5) == 0) {
            int n = atoi(s + 5);
            for (int i = 0; i < n; i++) {
                demo_point.x = i;
                tick(i, &demo_point);
            }
            printf("tick sem=%u\n", (unsigned) demo_tick_semaphore);
        } else if (strncmp(s, "plain:", 6) == 0) {
            for (int i = 0, n = atoi(s + 6); i < n; i++) {
                plain_probes(i);
            }
        } else if (strcmp(s, "wait") == 0) {
            char line[64];
            printf("waiting sem=%u\n", (unsigned) demo_tick_semaphore);
            fflush(stdout);
            if (!fgets(line, sizeof line, stdin)) {
                return 3;
            }
        } else if (strcmp(s, "fork") == 0) {
            fflush(stdout);
            pid_t child = fork();
            if (child > 0) {
                int status;
                waitpid(child, &status, 0);
                printf("child done sem=%u\n", (unsigned) demo_tick_semaphore);
            } else {
                printf("child sem=%u\n", (unsigned) demo_tick_semaphore);
            }
        } else if (strcmp(s, "exec") == 0) {
            fflush(stdout);
            argv[a] = argv[0];
            execv("/proc/self/exe", argv + a);
            return 4;
        } else if (strncmp(s, "dlopen:", 7) == 0) {
            void *h = dlopen(s + 7, RTLD_NOW);
            if (!h) {
                fprintf(stderr, "%s\n", dlerror());
                return 5;
            }
            int (*call)(int) = (int (*)(int)) dlsym(h, "usdt_lib_call");
            printf("lib sem=%d\n", call(7));
        }
        fflush(stdout);
    }
    return 0;
}
