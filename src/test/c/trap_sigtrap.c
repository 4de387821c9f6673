/* A program that handles SIGTRAP itself: raised by raise(), by kill() and by its own int3. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int traps;
static volatile int codes[8];

static void on_trap(int sig, siginfo_t *si, void *ctx) {
    (void)sig; (void)ctx;
    codes[traps++] = si->si_code;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);
    raise(SIGTRAP);
    kill(getpid(), SIGTRAP);
    __asm__ volatile("int3");
    printf("%d traps, si_code %d %d %d\n", traps, codes[0], codes[1], codes[2]);
    return 0;
}
