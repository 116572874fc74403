package io.jwg.device;

import io.jwg.crypto.Key;
import io.jwg.net.Endpoint;
import io.jwg.noise.Tunnel;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/** A configured peer of a {@link Device}: its protocol state, endpoint, staged packets and counters. */
public final class Peer {
    /** Packets kept while a handshake is under way (beyond this, the oldest are dropped). */
    static final int MAX_STAGED = 128;

    final Tunnel tunnel;
    private final Key publicKey;
    private volatile Endpoint endpoint;
    private volatile Key presharedKey;
    final AtomicLong rxBytes = new AtomicLong();
    final AtomicLong txBytes = new AtomicLong();
    /** Dropped packets of this peer by reason (only {@link DropReason#peerLevel()} reasons). */
    final DropCounters drops = new DropCounters();
    private final ArrayDeque<byte[]> staged = new ArrayDeque<>();
    /** The endpoint as configured when it was a host name (re-resolved when handshakes fail). */
    private volatile String endpointHost;
    private volatile int endpointPort;
    volatile long lastResolveNanos;
    /** Initiations sent since the last completed handshake (see Device.noteInitiation); control thread only. */
    boolean initiationsFailing;
    long failingSinceNanos;
    long handshakeWhenFailingStarted;

    Peer(Key publicKey, Tunnel tunnel) {
        this.publicKey = publicKey;
        this.tunnel = tunnel;
        tunnel.attach(this);
    }

    public Key publicKey() {
        return publicKey;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Sets the endpoint (from configuration, or from an authenticated packet: roaming). */
    public void setEndpoint(Endpoint e) {
        this.endpoint = e;
    }

    /** Sets the endpoint from configuration (forgets any host name). */
    public void setConfiguredEndpoint(Endpoint e) {
        this.endpointHost = null;
        this.endpoint = e;
    }

    /**
     * Remembers that the endpoint was given as a host name: when handshakes keep failing, the
     * device resolves it again and follows the name to its new address.
     */
    public void setEndpointHost(String host, int port) {
        this.endpointHost = host;
        this.endpointPort = port;
    }

    String endpointHost() {
        return endpointHost;
    }

    int endpointPort() {
        return endpointPort;
    }

    public Key presharedKey() {
        return presharedKey;
    }

    void setPresharedKey(Key k) {
        this.presharedKey = k;
        tunnel.setPresharedKey(k);
    }

    public int persistentKeepaliveSeconds() {
        return tunnel.persistentKeepaliveSeconds();
    }

    public long rxBytes() {
        return rxBytes.get();
    }

    public long txBytes() {
        return txBytes.get();
    }

    /** Dropped packets attributed to this peer, by reason (see {@link DropReason#peerLevel()}). */
    public DropCounters drops() {
        return drops;
    }

    /** Wall-clock time of the last handshake, ns since the epoch, or 0. */
    public long lastHandshakeWallNanos() {
        return tunnel.lastHandshakeWallNanos();
    }

    /** Packets staged, readable without the lock (the data path checks it for every packet). */
    private volatile int stagedCount;
    /** A flush of the staged packets is queued on the control thread. */
    final java.util.concurrent.atomic.AtomicBoolean flushQueued = new java.util.concurrent.atomic.AtomicBoolean();

    /** Stages a packet; returns true if the oldest staged packet had to be dropped to make room. */
    boolean stage(byte[] packet) {
        synchronized (staged) {
            boolean full = staged.size() >= MAX_STAGED;
            if (full) staged.pollFirst();
            staged.addLast(packet);
            stagedCount = staged.size();
            return full;
        }
    }

    /** The oldest staged packet, left in place (removed with {@link #removeFirstStaged} once sent). */
    byte[] firstStaged() {
        synchronized (staged) {
            return staged.peekFirst();
        }
    }

    void removeFirstStaged(byte[] packet) {
        synchronized (staged) {
            if (staged.peekFirst() == packet) staged.pollFirst();
            stagedCount = staged.size();
        }
    }

    /** True while packets wait for a session; new packets then queue behind them, keeping order. */
    boolean hasStaged() {
        return stagedCount > 0;
    }

    /** Discards the staged packets; returns how many there were. */
    int dropStaged() {
        synchronized (staged) {
            int n = staged.size();
            staged.clear();
            stagedCount = 0;
            return n;
        }
    }

    @Override
    public String toString() {
        return "peer " + publicKey.toBase64();
    }
}
