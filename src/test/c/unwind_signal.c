/* Frames across signal delivery: a handler for SIGUSR1 raised by the program, and a handler for a
 * SIGSEGV caused by the first instruction of a function, which leaves through siglongjmp. The frame the
 * fault interrupted resumes at the faulting instruction itself, not after a call, so it must be looked
 * up at its pc: pc - 1 is in whatever precedes the function. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile int sink;
static sigjmp_buf back;

__attribute__((noipa)) void in_handler(int sig) {
    sink = sig;
}

static void on_usr1(int sig) {
    in_handler(sig);
    sink += 1;
}

static void on_segv(int sig) {
    in_handler(sig);
    siglongjmp(back, 1);
}

__attribute__((noipa)) void raiser(void) {
    raise(SIGUSR1);
    sink += 2;
}

__attribute__((noipa)) void faulter(volatile int *p) {
    *p = 4;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    raiser();
    if (sigsetjmp(back, 1) == 0) {
        faulter(NULL);
    }
    printf("%d\n", sink);
    return 0;
}
