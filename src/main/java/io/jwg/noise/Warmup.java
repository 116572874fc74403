package io.jwg.noise;

import io.jwg.crypto.Key;

/**
 * Runs the transport crypto on throw-away keys until the JIT has compiled it, so that the first
 * real packets do not run interpreted (which costs milliseconds of latency and most of the first
 * seconds' throughput). Called on a background thread when a device starts.
 */
public final class Warmup {
    private Warmup() {}

    /** Seals and opens packets of typical sizes for about the given time; returns packets processed. */
    public static long run(long millis) {
        byte[] k1 = Key.generatePreshared().bytes();
        byte[] k2 = Key.generatePreshared().bytes();
        Keypair a = new Keypair(k1, k2, true, 1, 2, System.nanoTime());
        Keypair b = new Keypair(k2, k1, false, 2, 1, System.nanoTime());
        byte[] buf = new byte[1500];
        int[] sizes = {1424, 96, 48, 0};
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long n = 0;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 64; i++) {
                int size = sizes[(int) (n++ & 3)];
                int len = a.seal(a.nextCounter(), buf, 0, size);
                if (b.open(buf, 0, len) != size) throw new IllegalStateException("warm-up round trip failed");
            }
        }
        a.destroy();
        b.destroy();
        return n;
    }
}
