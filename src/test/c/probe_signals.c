/* A probed function called from a signal handler, SIGTRAPs the program raises and handles itself.
 * (The SIGTRAP handler itself calls nothing probed: a breakpoint trap while SIGTRAP is blocked makes
 * the kernel reset the handler to SIG_DFL, a limitation every int3 debugger shares.) */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile int handled;

__attribute__((noinline)) int add(int a, int b) {
    __asm__ volatile("" ::: "memory");
    return a + b;
}

static void on_signal(int sig) {
    handled += add(sig, 1000);
}

static void on_trap(int sig) {
    handled += sig;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_trap;
    sigaction(SIGTRAP, &sa, NULL);
    add(1, 2);
    raise(SIGUSR1);
    raise(SIGTRAP);
    __asm__ volatile("int3");
    raise(SIGUSR1);
    add(3, 4);
    printf("handled %d\n", handled);
    return 0;
}
