package io.jwg.bench;

import io.jwg.noise.ReplayWindow;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The receive replay window per packet, as {@code Keypair.open} uses it: the cheap pre-check
 * ({@code mayAccept}) before decrypting, then {@code accept} after authentication. Three traffic
 * shapes: counters in order (the common case), slightly reordered counters (every packet up to 16
 * places away from its turn, as after a multi-queue NIC or parallel crypto), and replays of
 * counters already seen (which must be rejected). Each method returns what it computed, so the JIT
 * cannot drop the work. scripts/jmh ReplayWindowBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReplayWindowBench {
    private static final int PATTERN = 1024;

    ReplayWindow inOrderWindow, reorderedWindow, replayWindow;
    long inOrderCounter;
    long reorderedBase;
    int reorderedIndex;
    /** A permutation of 0..PATTERN-1 where every value is at most 16 places from its own index. */
    final int[] reorderPattern = new int[PATTERN];
    int replayIndex;

    @Setup
    public void setup() {
        inOrderWindow = new ReplayWindow();
        reorderedWindow = new ReplayWindow();
        replayWindow = new ReplayWindow();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < PATTERN; i++) reorderPattern[i] = i;
        for (int block = 0; block < PATTERN; block += 16) { // shuffle within blocks of 16
            for (int i = 15; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = reorderPattern[block + i];
                reorderPattern[block + i] = reorderPattern[block + j];
                reorderPattern[block + j] = t;
            }
        }
        for (long c = 0; c < PATTERN; c++) replayWindow.accept(c);
    }

    private static boolean receive(ReplayWindow w, long counter) {
        return w.mayAccept(counter) && w.accept(counter);
    }

    @Benchmark
    public boolean inOrder() {
        return receive(inOrderWindow, inOrderCounter++);
    }

    @Benchmark
    public boolean reordered() {
        long c = reorderedBase + reorderPattern[reorderedIndex];
        if (++reorderedIndex == PATTERN) {
            reorderedIndex = 0;
            reorderedBase += PATTERN;
        }
        return receive(reorderedWindow, c);
    }

    /** Counters 0..1023 were all accepted in setup: every call here is a replay and returns false. */
    @Benchmark
    public boolean replayed() {
        long c = replayIndex;
        replayIndex = (replayIndex + 1) & (PATTERN - 1);
        return receive(replayWindow, c);
    }
}
