package io.probe4j.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the SIGKILL guardian relies on: a thread's pidfd tells of that thread's end while its process
 * lives on (the guardian learns that the tracer thread is gone before the JVM's address space is torn
 * down), and a process's pidfd of the process's end.
 */
@Timeout(30)
class PidfdTest {
    @Test
    void aThreadsPidfdIsReadableOnceThatThreadHasEndedAndNotBefore() throws Exception {
        CountDownLatch started = new CountDownLatch(1), finish = new CountDownLatch(1);
        int[] tid = new int[1];
        Thread t = Thread.ofPlatform().start(() -> {
            tid[0] = Procfs.currentTid();
            started.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertEquals(tid[0], Integer.parseInt(Files.readString(Path.of("/proc/self/task/" + tid[0] + "/stat")).split(" ")[0]),
                "currentTid names a thread of this JVM");
        try (Pidfd thread = Pidfd.openThread(tid[0]); Pidfd jvm = Pidfd.open((int) ProcessHandle.current().pid())) {
            assertEquals(-1, Pidfd.awaitFirst(50, thread, jvm), "nothing has ended yet");
            finish.countDown();
            t.join();
            assertEquals(0, Pidfd.awaitFirst(5_000, thread, jvm), "the thread's end, while the JVM runs on");
            assertFalse(jvm.awaitExit(0));
        }
    }

    @Test
    void aProcesssPidfdIsReadableOnceItHasEnded() throws Exception {
        Process p = new ProcessBuilder("sleep", "0.2").start();
        try (Pidfd child = Pidfd.open((int) p.pid())) {
            assertFalse(child.awaitExit(0));
            assertTrue(child.awaitExit(10_000));
        }
    }
}
