package io.jwg.noise;

/**
 * Time as the protocol core sees it: a monotonic clock for timers and a wall clock for TAI64N
 * timestamps. Injected so that tests can drive every timer with a fake clock.
 */
public interface Clock {
    /** Monotonic nanoseconds (like System.nanoTime()). */
    long nanos();

    /** Nanoseconds since the Unix epoch. */
    long wallNanos();

    Clock SYSTEM = new Clock() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public long wallNanos() {
            java.time.Instant i = java.time.Instant.now();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        }
    };
}
