/* Frames through libc: a qsort comparator called by libc's merge sort (built without frame pointers),
 * and an atexit handler called by exit(), which __libc_start_call_main calls as its last instruction
 * (so its return address is the first byte after it: the caller must be looked up at pc - 1). */
#include <stdio.h>
#include <stdlib.h>

static volatile int sink;

__attribute__((noipa)) int by_value(const void *a, const void *b) {
    int x = *(const int *) a, y = *(const int *) b;
    sink = x;
    return (x > y) - (x < y);
}

__attribute__((noipa)) void sort_them(int *v, size_t n) {
    qsort(v, n, sizeof *v, by_value);
    sink = v[0];
}

__attribute__((noipa)) void at_exit(void) {
    sink = 1;
}

int main(void) {
    int v[] = {5, 3, 9, 1, 7};
    atexit(at_exit);
    sort_them(v, 5);
    printf("%d %d\n", v[0], v[4]);
    return 0;
}
