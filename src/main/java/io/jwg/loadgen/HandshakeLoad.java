package io.jwg.loadgen;

import io.jwg.crypto.Key;
import io.jwg.noise.Constants;
import io.jwg.noise.InitiatorHandshake;
import io.jwg.noise.Keypair;
import io.jwg.noise.Messages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

/**
 * A handshake load generator: many distinct peers complete real WireGuard handshakes with one
 * server (initiation, response checked and keys derived, then a keepalive with the new keys to
 * confirm the session), with a bounded number in flight. Measures completed handshakes per second.
 *
 * <p>The initiations are built before the clock starts (each needs a fresh ephemeral key and a
 * timestamp later than the peer's previous one), so that while measuring the generator only
 * checks responses, and leaves the CPU to the server. Peers take turns, and one peer's initiations
 * are sent at least {@link #PEER_SPACING_NANOS} apart: a server ignores a peer's initiations that
 * come sooner than 20 ms after the last one (flood protection). The number in flight should stay
 * below 128, where servers consider themselves under load and answer with cookie replies (which
 * are handled: the initiation is sent again with MAC2).
 */
public final class HandshakeLoad {
    /** Wider than the servers' HANDSHAKE_INITIATION_RATE (20 ms), with a margin for queueing. */
    static final long PEER_SPACING_NANOS = 25_000_000L;
    /** TAI64N timestamps are rounded down to 2^24 ns; consecutive initiations of a peer step by that. */
    private static final long TIMESTAMP_STEP = 1L << 24;
    private static final int PENDING = 0, SENT = 1, DONE = 2, LOST = 3;

    /** What to run. */
    public record Options(InetSocketAddress server, Key serverPublicKey, List<Key> peerPrivateKeys, int concurrency,
                          int handshakes, int warmup, boolean keepalive, long timeoutNanos, int threads) {
        public Options {
            if (peerPrivateKeys.isEmpty()) throw new IllegalArgumentException("no peer keys");
            if (concurrency < 1 || handshakes < 1 || warmup < 0 || threads < 1) throw new IllegalArgumentException("counts must be positive");
        }
    }

    /**
     * The measured phase (after the warm-up): handshakes completed and lost (no valid response
     * within the timeout), cookie replies received, the elapsed time from the first initiation sent
     * to the last response checked, and latency percentiles of the completed ones.
     */
    public record Result(int completed, int lost, long cookieReplies, long invalidResponses, double seconds,
                         double p50Millis, double p99Millis) {
        public double perSecond() {
            return seconds > 0 ? completed / seconds : 0;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "handshakes_per_second=%.1f completed=%d lost=%d cookie_replies=%d invalid=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f",
                    perSecond(), completed, lost, cookieReplies, invalidResponses, seconds, p50Millis, p99Millis);
        }
    }

    private final Options o;
    private final int total;
    private final InitiatorHandshake[] handshakes;
    private final AtomicIntegerArray status;
    private final long[] sentAt;
    private final long[] doneAt;
    private final Semaphore inFlight;
    private final AtomicLong cookieReplies = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong resolved = new AtomicLong();
    private DatagramChannel channel;

    private HandshakeLoad(Options o) {
        this.o = o;
        this.total = o.warmup() + o.handshakes();
        this.handshakes = new InitiatorHandshake[total];
        this.status = new AtomicIntegerArray(total);
        this.sentAt = new long[total];
        this.doneAt = new long[total];
        this.inFlight = new Semaphore(o.concurrency());
    }

    /** Runs the load against o.server() and returns the measured phase's result. */
    public static Result run(Options o) throws IOException, InterruptedException {
        return new HandshakeLoad(o).run();
    }

    private Result run() throws IOException, InterruptedException {
        prepare();
        channel = DatagramChannel.open();
        channel.connect(o.server());
        List<Thread> receivers = new ArrayList<>();
        for (int i = 0; i < o.threads(); i++) {
            receivers.add(Thread.ofPlatform().name("handshake-load-rx-" + i).daemon(true).start(this::receive));
        }
        try {
            sendAll();
            long deadline = System.nanoTime() + o.timeoutNanos() + 1_000_000_000L;
            while (resolved.get() < total && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
                expireOverdue();
            }
        } finally {
            channel.close();
            for (Thread t : receivers) t.join(2000);
        }
        return result();
    }

    /** Builds every initiation (on all cores): peer i % P, its (i / P)-th, with rising timestamps. */
    private void prepare() {
        List<Key> keys = o.peerPrivateKeys();
        InitiatorHandshake.Peer[] peers = keys.parallelStream()
                .map(k -> new InitiatorHandshake.Peer(k, o.serverPublicKey(), null))
                .toArray(InitiatorHandshake.Peer[]::new);
        long base = System.currentTimeMillis() * 1_000_000L;
        int p = peers.length;
        IntStream.range(0, total).parallel().forEach(i ->
                handshakes[i] = InitiatorHandshake.create(peers[i % p], i, base + (i / p) * TIMESTAMP_STEP));
    }

    private void sendAll() throws IOException, InterruptedException {
        int p = o.peerPrivateKeys().size();
        long[] lastSent = new long[p];
        Arrays.fill(lastSent, System.nanoTime() - PEER_SPACING_NANOS);
        ByteBuffer out = ByteBuffer.allocateDirect(Constants.INITIATION_SIZE);
        for (int i = 0; i < total; i++) {
            while (!inFlight.tryAcquire(10, TimeUnit.MILLISECONDS)) expireOverdue();
            int peer = i % p;
            long wait = lastSent[peer] + PEER_SPACING_NANOS - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            long now = System.nanoTime();
            lastSent[peer] = now;
            sentAt[i] = now;
            status.set(i, SENT);
            out.clear();
            out.put(handshakes[i].initiation()).flip();
            channel.write(out);
            if ((i & 63) == 0) expireOverdue();
        }
    }

    private int oldestUnresolved;

    /** Marks handshakes sent more than the timeout ago without a valid response as lost (sender thread only). */
    private void expireOverdue() {
        long now = System.nanoTime();
        while (oldestUnresolved < total) {
            int s = status.get(oldestUnresolved);
            if (s == PENDING) return;
            if (s == SENT) {
                if (now - sentAt[oldestUnresolved] < o.timeoutNanos()) return;
                if (status.compareAndSet(oldestUnresolved, SENT, LOST)) {
                    resolved.incrementAndGet();
                    inFlight.release();
                }
            }
            oldestUnresolved++;
        }
    }

    private void receive() {
        ByteBuffer in = ByteBuffer.allocate(256);
        byte[] b = in.array();
        ByteBuffer keepalive = ByteBuffer.allocate(Constants.TRANSPORT_MIN_SIZE);
        ByteBuffer resend = ByteBuffer.allocate(Constants.INITIATION_SIZE);
        try {
            while (true) {
                in.clear();
                int n = channel.read(in);
                if (n < 4) continue;
                int type = Messages.typeOf(b, 0, n);
                if (type == Constants.TYPE_RESPONSE) {
                    onResponse(b, n, keepalive);
                } else if (type == Constants.TYPE_COOKIE_REPLY) {
                    onCookieReply(b, n, resend);
                }
            }
        } catch (ClosedChannelException e) {
            // the run is over
        } catch (IOException e) {
            if (channel.isOpen()) System.err.println("handshake-load: receive failed: " + e.getMessage());
        }
    }

    private void onResponse(byte[] b, int n, ByteBuffer keepalive) throws IOException {
        int i = Messages.getInt(b, Messages.RESP_RECEIVER);
        if (i < 0 || i >= total || status.get(i) != SENT) return; // late (already lost) or not ours
        Keypair kp = handshakes[i].consumeResponse(b, 0, n, System.nanoTime());
        if (kp == null) {
            invalid.incrementAndGet();
            return;
        }
        if (o.keepalive()) {
            keepalive.clear();
            keepalive.limit(kp.seal(kp.nextCounter(), keepalive.array(), 0, 0));
            channel.write(keepalive);
        }
        kp.destroy();
        long now = System.nanoTime();
        if (status.compareAndSet(i, SENT, DONE)) {
            doneAt[i] = now;
            resolved.incrementAndGet();
            inFlight.release();
        }
    }

    private void onCookieReply(byte[] b, int n, ByteBuffer resend) throws IOException {
        cookieReplies.incrementAndGet();
        int i = Messages.getInt(b, Messages.COOKIE_RECEIVER);
        if (i < 0 || i >= total || status.get(i) != SENT) return;
        InitiatorHandshake h = handshakes[i];
        synchronized (h) {
            if (!h.consumeCookieReply(b, 0, n)) return;
            resend.clear();
            resend.put(h.initiation()).flip();
        }
        channel.write(resend);
    }

    private Result result() {
        int completed = 0, lost = 0;
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        long[] latencies = new long[o.handshakes()];
        for (int i = o.warmup(); i < total; i++) {
            int s = status.get(i);
            if (s != PENDING) first = Math.min(first, sentAt[i]);
            if (s == DONE) {
                latencies[completed++] = doneAt[i] - sentAt[i];
                last = Math.max(last, doneAt[i]);
            } else {
                lost++;
            }
        }
        Arrays.sort(latencies, 0, completed);
        double seconds = completed == 0 ? 0 : (last - first) / 1e9;
        return new Result(completed, lost, cookieReplies.get(), invalid.get(), seconds,
                percentile(latencies, completed, 0.50), percentile(latencies, completed, 0.99));
    }

    private static double percentile(long[] sorted, int n, double q) {
        if (n == 0) return 0;
        return sorted[Math.min(n - 1, (int) (q * n))] / 1e6;
    }
}
