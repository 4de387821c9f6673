/* An int3 with a value in rax; prints rax afterwards. Untraced the SIGTRAP handler returns and rax stays 7. */
#include <signal.h>
#include <stdio.h>

static void on_trap(int sig) { (void)sig; }

int main(void) {
    signal(SIGTRAP, on_trap);
    long v = 7;
    __asm__ volatile("int3" : "+a"(v));
    printf("rax after int3: %ld\n", v);
    return 0;
}
