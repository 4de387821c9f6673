package io.probe4j.trigger;

import java.util.Comparator;
import java.util.List;

/**
 * The kernel's {@code sort()} ({@code lib/sort.c}): a bottom-up heapsort, not stable. Entries that compare
 * equal come out in the order this exact algorithm leaves them in, which is the order the hist file shows, so
 * probe4j sorts the same way step by step.
 */
final class KernelSort {
    private KernelSort() {
    }

    /** Sorts {@code a[from, from + n)} in place. */
    static <T> void sort(List<T> a, int from, int n, Comparator<? super T> cmp) {
        int heap = n / 2;
        int end = n;
        if (heap == 0) {
            return;
        }
        while (true) {
            if (heap > 0) {
                heap--; // building the heap: sift element "heap" down
            } else if (--end > 0) {
                swap(a, from, from + end); // sorting: the root goes to the end
            } else {
                return;
            }
            // find the sift-down path to a leaf, one compare per level, then back up to where "heap" belongs
            int b = heap;
            int c;
            int d;
            while (true) {
                c = 2 * b + 1;
                d = c + 1;
                if (d >= end) {
                    break;
                }
                b = cmp.compare(a.get(from + c), a.get(from + d)) >= 0 ? c : d;
            }
            if (d == end) {
                b = c; // the last leaf has no sibling
            }
            while (b != heap && cmp.compare(a.get(from + heap), a.get(from + b)) >= 0) {
                b = (b - 1) / 2;
            }
            c = b;
            while (b != heap) {
                b = (b - 1) / 2;
                swap(a, from + b, from + c);
            }
        }
    }

    private static <T> void swap(List<T> a, int i, int j) {
        T t = a.get(i);
        a.set(i, a.get(j));
        a.set(j, t);
    }
}
