/*
 * A thread calls a probed function in a tight loop (most of its time inside the inline engine's
 * trampoline); at a first line on stdin a SIGUSR1 handler interrupts it, says where it interrupted the
 * thread ("interrupted at 0x..."), and waits for a second line, while probe4j detaches. Once the
 * handler returns, the thread goes on where it was (in a trampoline, whose rings are gone) for 0.2 s,
 * and the program ends with "ok".
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile long sum;
static volatile int stop, handled;

__attribute__((noinline)) long work(long i) {
    __asm__ volatile("" ::: "memory");
    return i & 7;
}

static void say_ip(unsigned long ip) { /* async-signal-safe: no stdio */
    char b[64] = "interrupted at 0x";
    int n = (int) strlen(b);
    for (int s = 60; s >= 0; s -= 4) {
        b[n++] = "0123456789abcdef"[(ip >> s) & 15];
    }
    b[n++] = '\n';
    write(1, b, n);
}

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void) sig;
    (void) si;
    say_ip(((ucontext_t *) uc)->uc_mcontext.gregs[REG_RIP]);
    char c = 0;
    while (read(0, &c, 1) == 1 && c != '\n') {
    }
    handled = 1;
}

static void *run(void *arg) {
    (void) arg;
    for (long i = 0; !stop; i++) {
        sum += work(i);
    }
    return NULL;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
    printf("ready\n");
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin)) {
        return 2;
    }
    pthread_kill(t, SIGUSR1);
    while (!handled) {
        usleep(1000);
    }
    usleep(200000); /* the thread runs on from where it was */
    stop = 1;
    pthread_join(t, NULL);
    printf("ok\n");
    return 0;
}
