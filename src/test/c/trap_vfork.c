/* vfork: one child execs, one _exits; the parent resumes after each. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    fflush(stdout);
    pid_t a = vfork();
    if (a == 0) {
        execl("/bin/echo", "echo", "vforked child exec'ed", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(a, &st, 0);
    printf("vfork child 1 status %d\n", WEXITSTATUS(st));
    fflush(stdout);
    volatile int shared = 0;
    pid_t b = vfork();
    if (b == 0) {
        shared = 42; /* vfork shares memory until _exit */
        _exit(9);
    }
    waitpid(b, &st, 0);
    printf("vfork child 2 status %d, shared %d\n", WEXITSTATUS(st), shared);
    return 0;
}
