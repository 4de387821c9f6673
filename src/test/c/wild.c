/* Fixture: functions for wildcard definitions (p wild:f*): plain ones, a compiler-style clone name, a
 * name no event may have, an alias, an indirect function and one whose first instruction the kernel
 * refuses (LOCK prefix). */
#include <stdlib.h>

int counter;

__attribute__((noinline)) int fa(int x) { return x + 1; }
__attribute__((noinline)) int fb(int x) { return x * 2; }
int fa_alias(int x) __attribute__((weak, alias("fa")));

__attribute__((noinline)) int fd(int x) __asm__("fd.part.0");
__attribute__((noinline)) int fd(int x) { return x - 3; }

__attribute__((noinline)) int fdollar(int x) __asm__("f$x");
__attribute__((noinline)) int fdollar(int x) { return x ^ 5; }

__asm__(".text\n.globl flock\n.type flock,@function\nflock:\n\tlock incl counter(%rip)\n\tmovl counter(%rip), %eax\n\tret\n.size flock,.-flock\n");
int flock(void);

static int fi_plain(int x) { return x + 10; }
static void *fi_resolver(void) { return (void *) fi_plain; }
int fi(int x) __attribute__((ifunc("fi_resolver")));

int main(int argc, char **argv) {
    (void) argv;
    int s = fa(argc) + fb(argc) + fd(argc) + fdollar(argc) + flock() + fi(argc) + fa_alias(argc);
    return s == 0;
}
