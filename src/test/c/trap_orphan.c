/* The parent exits 4 at once; its child goes on a little longer and prints after it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
    fflush(stdout);
    if (fork() == 0) {
        usleep(100000);
        printf("child outlived its parent\n");
        return 0;
    }
    printf("parent exits\n");
    return 4;
}
