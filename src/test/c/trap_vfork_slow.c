/* A vfork child that takes its time before exec: its parent sleeps in the kernel meanwhile.
 * Prints "child waiting" (from the child), then the exec'ed echo, then the parent's line. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    fflush(stdout);
    pid_t c = vfork();
    if (c == 0) {
        write(1, "child waiting\n", 14);
        usleep(400000);
        execl("/bin/echo", "echo", "slow vfork child exec'ed", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0);
    printf("parent resumed, child status %d\n", WEXITSTATUS(st));
    return 0;
}
