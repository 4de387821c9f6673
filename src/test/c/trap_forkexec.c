/* fork + exec + wait, twice: one child execs echo, one exits with 5 without exec. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    fflush(stdout);
    pid_t a = fork();
    if (a == 0) {
        execl("/bin/echo", "echo", "hello from the exec'ed child", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(a, &st, 0);
    printf("child 1 exited %d\n", WEXITSTATUS(st));
    fflush(stdout);
    pid_t b = fork();
    if (b == 0) {
        printf("child 2 running\n");
        exit(5);
    }
    waitpid(b, &st, 0);
    printf("child 2 exited %d\n", WEXITSTATUS(st));
    return 0;
}
