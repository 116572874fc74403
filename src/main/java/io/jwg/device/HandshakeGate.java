package io.jwg.device;

import io.jwg.net.Datagram;
import io.jwg.net.Endpoint;
import io.jwg.net.UdpTransport;
import io.jwg.noise.Clock;
import io.jwg.noise.Constants;
import io.jwg.noise.CookieChecker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WireGuard's DoS defence for incoming initiations and responses, applied on the UDP reader thread
 * before anything is queued for the control thread: MAC1 must be valid; when the device is under
 * load, MAC2 must be valid too (else the sender gets a cookie reply) and the source IP must pass
 * its token bucket. This is wireguard-go's order of checks (device/receive.go); doing them where
 * the datagram arrives means a flood costs neither a copy nor a hand-off to another thread.
 *
 * <p>Cookie replies are held and leave together in one {@link UdpTransport#send} (sendmmsg, or one
 * UDP_SEGMENT message when they go to one address): when {@link #MAX_PENDING} are waiting, or at
 * the end of a receive batch once the oldest has waited {@link #MAX_HOLD}, or at the control
 * thread's next tick ({@link #flush}) when no more datagrams come. A flood arrives a few
 * datagrams per receive (fewer than a dozen even with the reader's pause, Device.FLOOD_PAUSE), so
 * sending per receive batch cost a send system call for every few replies, each with its route
 * lookup and device transmit on the core that also carries the tunnel; held for a few
 * milliseconds they cost one per {@link #MAX_PENDING}.
 * A sender that needs the cookie retries only after REKEY_TIMEOUT (5 s), so the hold costs it
 * nothing.
 *
 * <p>Under load: as in wireguard-go, the device is under load while the handshake queue holds at
 * least {@link #QUEUE_THRESHOLD} messages and for {@link #LINGER} after. Because a flood no longer
 * reaches the queue once this gate answers it, the state would end after LINGER and the next
 * burst would again be processed at full cost (an X25519 each) until the queue backs up: so it is
 * also renewed while messages with a valid MAC1 keep arriving at {@link #SUSTAIN_PER_LINGER} or more
 * per LINGER (128/s: far above what peers need, a thousand peers rekeying every two minutes send
 * about 8/s, and far below a flood), and ends LINGER after the last message of such a flood.
 *
 * <p>Methods other than {@link #underLoad}, {@link #underLoadNow}, {@link #allow}, {@link #flush} and
 * {@link #cookieRepliesSent} belong to the UDP reader thread.
 */
final class HandshakeGate {
    static final int QUEUE_THRESHOLD = Device.MAX_QUEUED_HANDSHAKES / 8;
    static final long LINGER = 1_000_000_000L;
    static final int SUSTAIN_PER_LINGER = QUEUE_THRESHOLD;
    /** Cookie replies held for one send: the kernel's limit of segments in one UDP GSO message. */
    static final int MAX_PENDING = 64;
    /** How long the reader holds cookie replies before a receive batch's end sends them. */
    static final long MAX_HOLD = 5_000_000L;

    /** What happens to a handshake message. */
    enum Verdict {
        /** Goes to the control thread (admitted under load when {@link #underLoad} was true). */
        PROCESS,
        /** MAC1 is wrong (or we have no key): dropped. */
        BAD_MAC1,
        /** Under load without a valid MAC2: a cookie reply is queued for {@link #flush}. */
        COOKIE_REPLY,
        /** Under load, valid MAC2, but the source IP is over its rate: dropped. */
        RATE_LIMITED
    }

    private final Clock clock;
    private final RateLimiter rateLimiter = new RateLimiter();
    // the held cookie replies (guarded by themselves: the control thread's tick may send them)
    private final Datagram[] replies;
    private int pending;
    private long oldestPending;
    private final AtomicLong repliesSent = new AtomicLong();
    private volatile long underLoadUntil;
    private long windowStart;
    private int windowCount;
    private long previousWindowCount;
    private boolean admittedUnderLoad;
    // reader-thread working memory: the checker's scratch, and the last source's address bytes
    private CookieChecker scratchOwner;
    private CookieChecker.Scratch scratch;
    private Endpoint lastSource;
    private byte[] lastSourceBytes;

    /** @param maxPending cookie replies held for one send ({@link #MAX_PENDING} in a device) */
    HandshakeGate(Clock clock, int maxPending) {
        this.clock = clock;
        this.replies = Datagram.batch(maxPending, Constants.COOKIE_REPLY_SIZE);
        this.windowStart = clock.nanos();
    }

    /**
     * The verdict on initiation or response msg[off, off+len) from the given source, with
     * queuedHandshakes messages waiting for the control thread. A cookie reply is held (see the
     * class comment), and the held ones are sent through udp at once when this one fills the batch.
     */
    Verdict admit(CookieChecker cc, byte[] msg, int off, int len, Endpoint from, int queuedHandshakes, UdpTransport udp) {
        admittedUnderLoad = false;
        if (cc == null) return Verdict.BAD_MAC1;
        if (cc != scratchOwner) {
            scratch = cc.newScratch();
            scratchOwner = cc;
        }
        if (!cc.checkMac1(msg, off, len, scratch)) return Verdict.BAD_MAC1;
        long now = clock.nanos();
        boolean underLoad = underLoad(queuedHandshakes, now);
        sustain(underLoad, now);
        if (!underLoad) return Verdict.PROCESS;
        byte[] src = sourceBytes(from);
        if (!cc.checkMac2(msg, off, len, src, scratch)) {
            synchronized (replies) {
                if (pending == 0) oldestPending = now;
                Datagram d = replies[pending++];
                cc.writeReply(msg, off, len, src, scratch, d.data, 0);
                d.offset = 0;
                d.length = Constants.COOKIE_REPLY_SIZE;
                d.endpoint = from;
                if (pending == replies.length) flush(udp);
            }
            return Verdict.COOKIE_REPLY;
        }
        if (!allow(from, now)) return Verdict.RATE_LIMITED;
        admittedUnderLoad = true;
        return Verdict.PROCESS;
    }

    /** Whether the last {@link Verdict#PROCESS} from {@link #admit} was given under load (MAC2 checked, rate counted). */
    boolean admittedUnderLoad() {
        return admittedUnderLoad;
    }

    /** The end of a receive batch: sends the held cookie replies if the oldest has waited MAX_HOLD. */
    void endOfBatch(UdpTransport udp) {
        synchronized (replies) {
            if (pending > 0 && clock.nanos() - oldestPending >= MAX_HOLD) flush(udp);
        }
    }

    /** Sends the held cookie replies in one call (any thread: also the control thread's tick). */
    void flush(UdpTransport udp) {
        synchronized (replies) {
            int n = pending;
            if (n == 0) return;
            pending = 0;
            // counted first: whoever receives a reply must find it counted already (metrics, tests)
            repliesSent.addAndGet(n);
            try {
                udp.send(replies, n);
            } catch (IOException e) {
                // the socket is closing or the attacker's address is unreachable: nothing was sent
                repliesSent.addAndGet(-n);
            }
            for (int i = 0; i < n; i++) replies[i].endpoint = null;
        }
    }

    /** Cookie replies handed to the transport (also counts the ones {@link #countReply} reports). */
    long cookieRepliesSent() {
        return repliesSent.get();
    }

    /** Counts a cookie reply sent by another path (the control thread's late check). */
    void countReply() {
        repliesSent.incrementAndGet();
    }

    /** wireguard-go's IsUnderLoad: a backed-up queue, or one within the last LINGER (any thread). */
    boolean underLoad(int queuedHandshakes, long now) {
        if (queuedHandshakes >= QUEUE_THRESHOLD) {
            underLoadUntil = now + LINGER;
            return true;
        }
        return underLoadAt(now);
    }

    /** Whether the device is under load now, as last decided by {@link #admit} or {@link #underLoad} (any thread). */
    boolean underLoadNow() {
        return underLoadAt(clock.nanos());
    }

    private boolean underLoadAt(long now) {
        return now - underLoadUntil < 0;
    }

    /** The per-source-IP token bucket (any thread). */
    boolean allow(Endpoint from, long now) {
        synchronized (rateLimiter) {
            return rateLimiter.allow(from.address(), now);
        }
    }

    /**
     * Renews the under-load state while valid-MAC1 handshakes keep arriving at SUSTAIN_PER_LINGER or
     * more per LINGER, estimated over a sliding window (this window's count plus the previous one's,
     * weighted by how much of it the sliding window still covers).
     */
    private void sustain(boolean underLoad, long now) {
        long elapsed = now - windowStart;
        if (elapsed >= LINGER) {
            boolean adjacent = elapsed < 2 * LINGER;
            previousWindowCount = adjacent ? windowCount : 0;
            windowStart = adjacent ? windowStart + LINGER : now;
            windowCount = 0;
            elapsed = now - windowStart;
        }
        windowCount++;
        long rate = windowCount + previousWindowCount * (LINGER - elapsed) / LINGER;
        if (underLoad && rate >= SUSTAIN_PER_LINGER) underLoadUntil = now + LINGER;
    }

    /** The address and port bytes cookies are bound to (remembered for the last source). */
    private byte[] sourceBytes(Endpoint from) {
        if (from != lastSource && !from.equals(lastSource)) {
            InetSocketAddress a = from.socketAddress();
            byte[] ip = a.getAddress().getAddress();
            byte[] out = Arrays.copyOf(ip, ip.length + 2);
            out[ip.length] = (byte) (a.getPort() >>> 8);
            out[ip.length + 1] = (byte) a.getPort();
            lastSource = from;
            lastSourceBytes = out;
        }
        return lastSourceBytes;
    }
}
