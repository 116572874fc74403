package io.jwg.noise;

/** A clock the test moves by hand. */
final class FakeClock implements Clock {
    long nanos = 1_000_000_000_000L;
    long wall = 1_700_000_000_000_000_000L;

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public long wallNanos() {
        return wall;
    }

    void advanceSeconds(double s) {
        long d = (long) (s * 1e9);
        nanos += d;
        wall += d;
    }
}
