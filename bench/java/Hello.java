import java.time.Instant;

/**
 * The bare-JVM baseline of bench/run's start-up rows: what `java -jar` of a class that does nothing
 * costs. Like `target startup` (bench/c/target.c) it prints the wall-clock time (CLOCK_REALTIME, the
 * clock of bash's $EPOCHREALTIME) first thing in main; with the argument `startup` it then also
 * waits 300 ms and prints the time again, as the C target does.
 */
public final class Hello {
    public static void main(String[] args) throws InterruptedException {
        Instant main = Instant.now();
        System.out.println("main_realtime_ns=" + (main.getEpochSecond() * 1_000_000_000L + main.getNano()));
        if (args.length == 1 && args[0].equals("startup")) {
            System.out.flush();
            Thread.sleep(300);
            Instant end = Instant.now();
            System.out.println("end_realtime_ns=" + (end.getEpochSecond() * 1_000_000_000L + end.getNano()));
        }
    }
}
