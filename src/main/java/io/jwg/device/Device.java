package io.jwg.device;

import io.jwg.crypto.Key;
import io.jwg.net.Datagram;
import io.jwg.net.Endpoint;
import io.jwg.net.UdpTransport;
import io.jwg.noise.Clock;
import io.jwg.noise.Constants;
import io.jwg.noise.CookieChecker;
import io.jwg.noise.IndexTable;
import io.jwg.noise.Keypair;
import io.jwg.noise.LocalIdentity;
import io.jwg.noise.Messages;
import io.jwg.noise.Responder;
import io.jwg.noise.Tunnel;
import io.jwg.tun.PacketBatch;
import io.jwg.tun.Tun;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WireGuard interface: peers, their AllowedIPs, and the packet pipeline between a {@link Tun}
 * and a {@link UdpTransport}.
 *
 * <pre>
 * outbound: tun reader -> [ring: lookup peer, assign counter] -> seal workers -> in-order UDP send
 * inbound:  udp reader -> [ring: classify]  -> open workers -> in-order TUN write
 *           handshake messages, screened by the reader's {@link HandshakeGate}:
 *             initiations -> handshake workers (one per CPU)
 *             responses, cookie replies, timers and staged packets -> one control thread
 * </pre>
 */
public final class Device implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Device.class);
    /** Handshake messages waiting for the control thread; beyond this they are dropped. */
    static final int MAX_QUEUED_HANDSHAKES = 1024;
    private static final long TICK_NANOS = Math.max(10_000_000L, (long) (100_000_000L * Constants.TIME_SCALE));
    private static final int RING_SIZE = 512;

    /** Opens the UDP transport on a port (0 = any free port). */
    @FunctionalInterface
    public interface UdpFactory {
        UdpTransport open(int port) throws IOException;
    }

    private final Tun tun;
    private final UdpFactory udpFactory;
    private volatile UdpTransport udp;
    private volatile int fwmark;
    private Thread udpReader;
    private final Clock clock;
    private final int mtu;
    private final int bufferSize;
    private final IndexTable indices = new IndexTable();
    private final Map<Key, Peer> peers = new ConcurrentHashMap<>();
    private volatile LocalIdentity identity;
    private volatile CookieChecker cookieChecker;
    private volatile AllowedIps<Peer> allowedIps = AllowedIps.empty();
    private final PacketRing outbound;
    private final PacketRing inbound;
    private final LinkedBlockingQueue<Runnable> control = new LinkedBlockingQueue<>();
    private final HandshakeWorkers handshakeWorkers = new HandshakeWorkers(HandshakeWorkers.defaultThreads());
    private final AtomicInteger queuedHandshakes = new AtomicInteger();
    private final Object sendLock = new Object();
    private final HandshakeGate handshakeGate;
    private final Datagram controlDatagram;
    private final Datagram[] controlBatch;
    private final Datagram[] sendBatch = new Datagram[64];
    private final Datagram[][] receiveBatches = new Datagram[PacketRing.MAX_CLAIM + 1][];
    private final List<Thread> threads = new ArrayList<>();
    private final int workers;
    private volatile boolean running;

    /**
     * @param mtu the TUN device's MTU: the largest inner packet, and the limit padding respects
     */
    public Device(Key privateKey, Tun tun, UdpFactory udpFactory, int listenPort, int mtu, Clock clock) throws IOException {
        this.tun = tun;
        this.udpFactory = udpFactory;
        this.udp = udpFactory.open(listenPort);
        this.clock = clock;
        this.handshakeGate = new HandshakeGate(clock, HandshakeGate.MAX_PENDING);
        this.mtu = mtu;
        // room for at least a 1500-byte inner packet, so that a later `ip link set mtu 1500` works too
        this.bufferSize = (Math.max(mtu, 1500) + Constants.TRANSPORT_OVERHEAD + Constants.PADDING_MULTIPLE + 63) & ~63;
        this.workers = Integer.getInteger("jwg.workers", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        setPrivateKey(privateKey);
        outbound = new PacketRing(RING_SIZE, bufferSize, workers, new OutboundStage());
        inbound = new PacketRing(RING_SIZE, bufferSize, workers, new InboundStage());
        controlDatagram = new Datagram(bufferSize);
        controlBatch = new Datagram[] {controlDatagram};
        for (int n = 1; n <= PacketRing.MAX_CLAIM; n++) receiveBatches[n] = new Datagram[n];
    }

    // ================================================================ configuration

    /**
     * Sets (or with null, removes) the interface's private key. Sessions end; peers whose public
     * key equals the new one's are removed, as wireguard-go does.
     */
    public synchronized void setPrivateKey(Key privateKey) {
        LocalIdentity old = identity;
        Key oldCopy = privateKeyCopy;
        if (privateKey == null || privateKey.isZero()) {
            identity = null;
            privateKeyCopy = null;
            for (Peer p : peers.values()) p.tunnel.zeroKeyMaterial();
        } else {
            LocalIdentity id = new LocalIdentity(privateKey);
            identity = id;
            privateKeyCopy = Key.of(privateKey.bytes());
            cookieChecker = new CookieChecker(id, clock);
            Key pub = id.publicKeyAsKey();
            Peer self = peers.get(pub);
            if (self != null) removePeer(self);
            for (Peer p : peers.values()) {
                p.tunnel.setLocalIdentity(id);
                p.tunnel.zeroKeyMaterial();
            }
        }
        if (old != null) old.destroy();
        if (oldCopy != null) oldCopy.destroy();
    }

    /**
     * The private key as given, for {@link #privateKey()}; wiped when replaced or on close. Guarded
     * by this; package-private so that DeviceTest can check the wiping.
     */
    Key privateKeyCopy;

    /** A copy of the private key (for the UAPI's get; the caller owns it), or null. */
    public synchronized Key privateKey() {
        return privateKeyCopy == null ? null : Key.of(privateKeyCopy.bytes());
    }

    /** The public key, or null without a private key. */
    public Key publicKey() {
        LocalIdentity id = identity;
        return id == null ? null : id.publicKeyAsKey();
    }

    public int listenPort() {
        return udp.port();
    }

    /** Rebinds the UDP socket to a new port (0 = any). On failure the old socket stays. */
    public synchronized void setListenPort(int port) throws IOException {
        if (port != 0 && port == udp.port()) return;
        UdpTransport fresh = udpFactory.open(port);
        if (fwmark != 0) fresh.setMark(fwmark);
        UdpTransport old = udp;
        udp = fresh;
        try {
            old.close();
        } catch (IOException ignored) {
            // the old socket is gone either way
        }
        if (running) {
            Thread prev = udpReader;
            if (prev != null) {
                try {
                    prev.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            udpReader = startThread("jwg-udp-reader", this::readUdp);
        }
    }

    public int fwmark() {
        return fwmark;
    }
    public int mtu() {
        return mtu;
    }

    /** Cookie replies sent because we were under load and a handshake lacked a valid MAC2. */
    public long cookieRepliesSent() {
        return handshakeGate.cookieRepliesSent();
    }

    private volatile io.jwg.noise.Tunnel.KeyLog keyLog;

    /** Logs every handshake's secrets to keyLog (Wireshark format); null turns it off. */
    public synchronized void setKeyLog(io.jwg.noise.Tunnel.KeyLog keyLog) {
        this.keyLog = keyLog;
        for (Peer p : peers.values()) p.tunnel.setKeyLog(keyLog);
    }

    /** Adds a peer, or returns the existing one with this public key. */
    public synchronized Peer addPeer(Key publicKey) {
        Peer existing = peers.get(publicKey);
        if (existing != null) return existing;
        LocalIdentity id = identity;
        if (id != null && publicKey.equals(id.publicKeyAsKey())) {
            throw new IllegalArgumentException("a peer cannot have the interface's own public key");
        }
        Tunnel t = new Tunnel(id, publicKey, null, 0, indices, clock);
        Peer p = new Peer(publicKey, t);
        if (keyLog != null) t.setKeyLog(keyLog);
        peers.put(publicKey, p);
        return p;
    }

    public Peer peer(Key publicKey) {
        return peers.get(publicKey);
    }

    public List<Peer> peers() {
        return List.copyOf(peers.values());
    }

    public synchronized void removePeer(Peer p) {
        if (peers.remove(p.publicKey()) == null) return;
        publish(editAllowedIps().removeAll(p));
        p.tunnel.close();
        p.dropStaged();
    }

    public synchronized void removeAllPeers() {
        for (Peer p : peers()) removePeer(p);
    }

    public void setPresharedKey(Peer p, Key psk) {
        p.setPresharedKey(psk);
    }

    /** Sets the persistent keepalive interval (0 = off); a keepalive goes out soon after. */
    public void setPersistentKeepalive(Peer p, int seconds) {
        p.tunnel.setPersistentKeepalive(seconds);
    }

    /** Adds an AllowedIPs entry (address of 4 or 16 bytes, prefix length) for the peer. */
    public synchronized void allowIp(Peer p, byte[] address, int prefixLength) {
        publish(editAllowedIps().put(address, prefixLength, p));
    }

    public synchronized void clearAllowedIps(Peer p) {
        publish(editAllowedIps().removeAll(p));
    }

    public synchronized void removeAllowedIp(Peer p, byte[] address, int prefixLength) {
        publish(editAllowedIps().remove(address, prefixLength, p));
    }

    /** Configuration changes that take effect together; see {@link #batch}. */
    @FunctionalInterface
    public interface Changes<E extends Exception> {
        void apply() throws E;
    }

    /** AllowedIPs being changed inside {@link #batch}, else null. Guarded by this. */
    private AllowedIps.Builder<Peer> pendingAllowedIps;

    /**
     * Applies configuration changes (e.g. a whole config file or UAPI set) with the AllowedIPs table
     * rebuilt once at the end instead of once per entry: with thousands of peers that is the
     * difference between linear and quadratic work (and garbage). Packets see the old table until
     * then. Nested batches join the outer one.
     */
    public synchronized <E extends Exception> void batch(Changes<E> changes) throws E {
        if (pendingAllowedIps != null) {
            changes.apply();
            return;
        }
        pendingAllowedIps = allowedIps.toBuilder();
        try {
            changes.apply();
        } finally {
            AllowedIps.Builder<Peer> b = pendingAllowedIps;
            pendingAllowedIps = null;
            allowedIps = b.build();
        }
    }

    private AllowedIps.Builder<Peer> editAllowedIps() {
        return pendingAllowedIps != null ? pendingAllowedIps : allowedIps.toBuilder();
    }

    private void publish(AllowedIps.Builder<Peer> b) {
        if (b != pendingAllowedIps) allowedIps = b.build();
    }

    public List<AllowedIps.Entry<Peer>> allowedIpsOf(Peer p) {
        return allowedIps.entriesOf(p);
    }

    public synchronized void setFwmark(int mark) throws IOException {
        udp.setMark(mark);
        fwmark = mark;
    }

    // ================================================================ metrics: drops by reason, keypair age

    private final DropCounters drops = new DropCounters();

    /** Dropped packets by reason, all peers and reasons included (peers removed since still count). */
    public DropCounters drops() {
        return drops;
    }

    /**
     * Age of the peer's current session keypair in nanoseconds (per this device's clock), or -1
     * without a session.
     */
    public long keypairAgeNanos(Peer p) {
        Keypair kp = p.tunnel.currentKeypair();
        return kp == null ? -1 : Math.max(0, clock.nanos() - kp.createdNanos());
    }

    private void drop(DropReason r, Peer p) {
        drops.increment(r);
        if (p != null) p.drops.increment(r);
    }

    private void dropN(DropReason r, Peer p, int n) {
        drops.add(r, n);
        if (p != null) p.drops.add(r, n);
    }

    // ================================================================ lifecycle

    public synchronized void start() {
        start(true);
    }

    /** Starts the threads; with warmUp, also compiles the data path in the background ({@link PipelineWarmup}). */
    synchronized void start(boolean warmUp) {
        if (running) return;
        running = true;
        if (Constants.TIME_SCALE != 1.0) {
            log.warn("TEST MODE: protocol timers scaled by {} (jwg.testing.timeScale); never use this in production", Constants.TIME_SCALE);
        }
        startThread("jwg-tun-reader", this::readTun);
        udpReader = startThread("jwg-udp-reader", this::readUdp);
        for (int i = 0; i < workers; i++) {
            int id = i;
            startThread("jwg-seal-" + i, () -> outbound.runWorker(id));
            startThread("jwg-open-" + i, () -> inbound.runWorker(id));
        }
        startThread("jwg-control", this::runControl);
        handshakeWorkers.start();
        if (warmUp) startWarmup(tun instanceof io.jwg.tun.LinuxTun || udp instanceof io.jwg.net.LinuxUdp);
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARMUP_STARTED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Starts the JIT warm-up on a background thread, once per JVM (-Djwg.warmup.ms=0 turns it off).
     * First a few complete handshakes, which is what the first packet through a new tunnel waits for;
     * then, at nice 19 so that it never delays real work: the native calls every packet makes (TUN
     * and UDP, when {@code linux}), transport sealing and opening, and round trips through an
     * in-memory device pair ({@link PipelineWarmup}). {@code jwg up} calls this before it configures
     * the interface, so that the warm-up overlaps the `ip` commands.
     */
    public static void startWarmup(boolean linux) {
        long ms = Long.getLong("jwg.warmup.ms", 400);
        if (ms <= 0 || !WARMUP_STARTED.compareAndSet(false, true)) return;
        Thread.ofPlatform().name("jwg-warmup").daemon(true).start(() -> {
            long t0 = System.nanoTime();
            int h = io.jwg.noise.Warmup.handshakes(io.jwg.noise.Warmup.HANDSHAKES, io.jwg.noise.Warmup.HANDSHAKE_MILLIS);
            long t1 = System.nanoTime();
            if (linux) {
                io.jwg.os.ThreadNice.lowestForCurrentThread();
                io.jwg.tun.LinuxTun.warmUp(Integer.getInteger("jwg.warmup.tun", 10_000));
                io.jwg.net.LinuxUdp.warmUp(Integer.getInteger("jwg.warmup.udp", 3_000));
            }
            long t2 = System.nanoTime();
            long n = io.jwg.noise.Warmup.run(ms / 4);
            long m = PIPELINE_WARMUP ? PipelineWarmup.run(ms) : 0;
            log.debug("JIT warm-up: {} handshakes in {} ms; native calls in {} ms; {} packets sealed and opened, {} round trips through an in-memory device pair; {} ms in all",
                    h, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, n, m, (System.nanoTime() - t0) / 1_000_000);
        });
    }

    private static final boolean PIPELINE_WARMUP = !"false".equals(System.getProperty("jwg.warmup.pipeline"));

    private Thread startThread(String name, Runnable r) {
        Thread t = Thread.ofPlatform().name(name).daemon(true).unstarted(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                if (running) log.error("{} stopped: {}", name, e.toString(), e);
            }
        });
        threads.add(t);
        t.start();
        return t;
    }

    /** Stops the threads and forgets all keys; does not close the TUN or UDP transport. */
    @Override
    public void close() {
        synchronized (this) {
            if (!running) return;
            running = false;
        }
        outbound.close();
        inbound.close();
        control.add(() -> {});
        handshakeWorkers.close();
        try {
            tun.close();
        } catch (IOException ignored) {
            // closing unblocks the reader; errors do not matter any more
        }
        try {
            udp.close();
        } catch (IOException ignored) {
            // as above
        }
        for (Thread t : threads) {
            try {
                long t0 = System.nanoTime();
                t.join(2000);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > 50 || t.isAlive()) log.debug("thread {} took {} ms to stop{}", t.getName(), ms, t.isAlive() ? " (still running)" : "");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Peer p : peers.values()) p.tunnel.close();
        LocalIdentity id = identity;
        if (id != null) id.destroy();
        synchronized (this) {
            if (privateKeyCopy != null) privateKeyCopy.destroy();
            privateKeyCopy = null;
        }
    }

    private volatile Runnable onTunGone = () -> {};

    /** Runs action (once, on another thread) if the TUN device disappears, e.g. `ip link delete`. */
    public void onTunGone(Runnable action) {
        this.onTunGone = action;
    }

    private void tunGone() {
        Thread.ofPlatform().name("jwg-tun-gone").start(onTunGone);
    }

    // ================================================================ outbound

    /**
     * Batches up to this size that find the pipeline idle are processed by the I/O thread that read
     * them rather than handed to a worker: a lone ping or ACK then crosses no thread (lower latency),
     * while bulk traffic, which comes in bigger batches, still spreads over the workers.
     * {@code -Djwg.inline=0} always hands off.
     */
    static final int INLINE_MAX = Integer.getInteger("jwg.inline", 2);

    /** Most packets taken from the TUN device per wake-up (then sealed and sent as one batch). */
    static final int TUN_BURST = 32;

    private void readTun() {
        int max = bufferSize - Constants.TRANSPORT_OVERHEAD - Constants.PADDING_MULTIPLE;
        while (running) {
            int free = outbound.awaitFree();
            if (free == 0) return;
            long seq = outbound.nextSeq();
            int burst = Math.min(free, TUN_BURST);
            int got = 0;
            try {
                while (got < burst) {
                    Packet p = outbound.slot(seq + got);
                    int n = got == 0 ? tun.read(p.datagram.data, Messages.DATA_PAYLOAD, max)
                            : tun.tryRead(p.datagram.data, Messages.DATA_PAYLOAD, max);
                    if (n == 0 && got > 0) break;
                    if (n < 0) {
                        if (got > 0) break;
                        if (running) tunGone();
                        return;
                    }
                    routeOutbound(p, n);
                    got++;
                }
            } catch (IOException e) {
                if (got > 0) {
                    outbound.publish(got);
                }
                if (running) {
                    log.info("TUN device closed: {}", e.getMessage());
                    tunGone();
                }
                return;
            }
            if (workers == 0 || (got <= INLINE_MAX && outbound.idle())) outbound.publishAndProcess(got);
            else outbound.publish(got);
        }
    }

    /** Finds the peer for the packet's destination and reserves its counter (in arrival order). */
    private void routeOutbound(Packet p, int n) {
        p.status = Packet.DROP;
        byte[] b = p.datagram.data;
        int ip = Messages.DATA_PAYLOAD;
        int version = n < 1 ? 0 : (b[ip] >> 4) & 0xf;
        Peer peer;
        if (version == 4 && n >= 20) peer = allowedIps.lookup(b, ip + 16, 4);
        else if (version == 6 && n >= 40) peer = allowedIps.lookup(b, ip + 24, 16);
        else {
            drop(DropReason.MALFORMED, null);
            return;
        }
        if (peer == null) {
            drop(DropReason.NO_ROUTE, null);
            return;
        }
        Keypair kp = peer.tunnel.sendingKeypair();
        Endpoint ep = peer.endpoint();
        boolean ready = kp != null && ep != null;
        long counter = ready && !peer.hasStaged() ? kp.nextCounter() : -1;
        if (counter < 0) {
            // no session yet, or packets already waiting for one: queue behind them so order is kept
            if (peer.stage(Arrays.copyOfRange(b, ip, ip + n))) drop(DropReason.NO_KEYPAIR, peer);
            if (ready && peer.tunnel.sendingKeypair() != null) requestFlush(peer);
            else requestHandshake(peer);
            return;
        }
        p.peer = peer;
        p.keypair = kp;
        p.counter = counter;
        p.plainLength = n;
        p.datagram.endpoint = ep;
        p.status = Packet.SEAL;
    }

    private final class OutboundStage implements PacketRing.Stage {
        @Override
        public void process(Packet p) {
            if (p.status != Packet.SEAL) return;
            byte[] b = p.datagram.data;
            int padded = paddedLength(p.plainLength);
            Arrays.fill(b, Messages.DATA_PAYLOAD + p.plainLength, Messages.DATA_PAYLOAD + padded, (byte) 0);
            p.datagram.offset = 0;
            p.datagram.length = p.keypair.seal(p.counter, b, 0, padded);
        }

        @Override
        public void write(Packet[] ring, int mask, long from, int count) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                Packet p = ring[(int) ((from + i) & mask)];
                if (p.status != Packet.SEAL) continue;
                sendBatch[n++] = p.datagram;
                p.peer.txBytes.addAndGet(p.datagram.length);
                p.peer.tunnel.packetSent(p.plainLength > 0);
            }
            if (n == 0) return;
            try {
                synchronized (sendLock) {
                    int sent = 0;
                    while (sent < n) {
                        int k = sendFrom(sendBatch, sent, n - sent);
                        if (k <= 0) break;
                        sent += k;
                    }
                }
            } catch (IOException e) {
                if (running) log.debug("UDP send failed: {}", e.getMessage());
            }
            Arrays.fill(sendBatch, 0, n, null);
        }
    }

    private final Datagram[][] shiftBatches = new Datagram[65][];

    /** Sends batch[from, from+count) through the transport, whose API takes a batch from index 0. */
    private int sendFrom(Datagram[] batch, int from, int count) throws IOException {
        if (from == 0) return udp.send(batch, count);
        Datagram[] tmp = shiftBatches[count];
        if (tmp == null) tmp = shiftBatches[count] = new Datagram[count];
        System.arraycopy(batch, from, tmp, 0, count);
        return udp.send(tmp, count);
    }

    /** wireguard-go's padding: to a multiple of 16, but never beyond the MTU. */
    int paddedLength(int n) {
        int last = n;
        if (mtu > 0 && last > mtu) last %= mtu;
        int padded = (last + Constants.PADDING_MULTIPLE - 1) & ~(Constants.PADDING_MULTIPLE - 1);
        if (mtu > 0 && padded > mtu) padded = mtu;
        return n + (padded - last);
    }

    // ================================================================ inbound

    private void readUdp() {
        UdpTransport transport = udp;
        while (running && transport == udp) {
            int free = inbound.awaitFree();
            if (free == 0) return;
            int want = Math.min(free, PacketRing.MAX_CLAIM);
            long seq = inbound.nextSeq();
            Datagram[] batch = receiveBatches[want];
            for (int i = 0; i < want; i++) batch[i] = inbound.slot(seq + i).datagram;
            int n;
            try {
                n = transport.receive(batch);
            } catch (IOException e) {
                if (running && transport == udp) log.error("UDP receive failed: {}", e.getMessage());
                return;
            }
            if (n < 0) return;
            boolean transportData = false;
            for (int i = 0; i < n; i++) {
                Packet p = inbound.slot(seq + i);
                classify(p);
                transportData |= p.status == Packet.OPEN;
            }
            handshakeGate.endOfBatch(transport); // cookie replies leave together, a few ms after the first
            // a batch with nothing to open (a handshake flood's, answered above) wakes no worker
            if (workers == 0 || ((n <= INLINE_MAX || !transportData) && inbound.idle())) inbound.publishAndProcess(n);
            else inbound.publish(n);
            if (!transportData && transport.drained() && handshakeGate.underLoadNow()) LockSupport.parkNanos(FLOOD_PAUSE);
        }
    }

    /**
     * How long the UDP reader waits after a receive that brought only handshake messages while under
     * load (a flood's, answered by the gate) and emptied the socket, before it receives again. A
     * flood arrives a datagram at a time, each waking the reader on its own (an inter-processor
     * wake-up, a context switch and a receive call on the core that also carries the tunnel);
     * pausing lets the socket gather the next ones, so that a flood of any rate costs about one
     * wake-up per pause. Transport data keeps the reader going as before, and so does a receive that
     * left datagrams waiting; only data arriving just after a flood-only receive waits, up to this
     * long, and the socket's buffer (several MB) holds far more than a pause brings.
     */
    static final long FLOOD_PAUSE = Long.getLong("jwg.floodPause", 1_000_000L);

    private void classify(Packet p) {
        Datagram d = p.datagram;
        int type = Messages.typeOf(d.data, d.offset, d.length);
        p.status = Packet.DROP;
        switch (type) {
            case Constants.TYPE_TRANSPORT -> p.status = Packet.OPEN;
            case Constants.TYPE_INITIATION, Constants.TYPE_RESPONSE -> {
                int queued = queuedHandshakes.get();
                switch (handshakeGate.admit(cookieChecker, d.data, d.offset, d.length, d.endpoint, queued, udp)) {
                    case PROCESS -> queueHandshake(type, d, handshakeGate.admittedUnderLoad());
                    case BAD_MAC1 -> drop(DropReason.AUTHENTICATION, null);
                    case COOKIE_REPLY, RATE_LIMITED -> { } // answered by the gate, or dropped like wireguard-go does
                }
            }
            case Constants.TYPE_COOKIE_REPLY -> {
                if (indices.lookup(Messages.getInt(d.data, d.offset + Messages.COOKIE_RECEIVER)) == null) {
                    drop(DropReason.UNKNOWN_PEER, null);
                    return;
                }
                queueHandshake(type, d, false);
            }
            default -> drop(DropReason.MALFORMED, null);
        }
    }

    /**
     * Hands a handshake message on (dropped when MAX_QUEUED_HANDSHAKES wait): initiations to the
     * handshake workers (all cores), responses and cookie replies to the control thread.
     */
    private void queueHandshake(int type, Datagram d, boolean admittedUnderLoad) {
        if (queuedHandshakes.get() >= MAX_QUEUED_HANDSHAKES) return; // overloaded: drop
        byte[] msg = Arrays.copyOfRange(d.data, d.offset, d.offset + d.length);
        Endpoint from = d.endpoint;
        queuedHandshakes.incrementAndGet();
        Runnable job = () -> {
            queuedHandshakes.decrementAndGet();
            handleHandshakeMessage(type, msg, from, admittedUnderLoad);
        };
        if (type == Constants.TYPE_INITIATION) handshakeWorkers.submit(job);
        else control.add(job);
    }

    private final class InboundStage implements PacketRing.Stage {
        @Override
        public void process(Packet p) {
            if (p.status != Packet.OPEN) return;
            p.status = Packet.DROP;
            Datagram d = p.datagram;
            byte[] b = d.data;
            IndexTable.Entry e = indices.lookup(Messages.getInt(b, d.offset + Messages.DATA_RECEIVER));
            if (e == null) {
                drop(DropReason.UNKNOWN_PEER, null);
                return;
            }
            Keypair kp = e.keypair();
            Peer peer = (Peer) e.tunnel().attachment();
            if (peer == null) {
                drop(DropReason.UNKNOWN_PEER, null);
                return;
            }
            if (kp == null || !kp.canReceive(clock.nanos())) {
                drop(DropReason.NO_KEYPAIR, peer);
                return;
            }
            int n = kp.open(b, d.offset, d.length);
            if (n < 0) {
                drop(n == Keypair.REPLAYED ? DropReason.REPLAY : DropReason.AUTHENTICATION, peer);
                return;
            }
            peer.rxBytes.addAndGet(d.length);
            p.peer = peer;
            if (peer.tunnel.packetReceived(kp, n > 0)) requestFlush(peer);
            if (n == 0) {
                p.status = Packet.KEEPALIVE;
                return;
            }
            int ip = d.offset + Messages.DATA_PAYLOAD;
            int version = (b[ip] >> 4) & 0xf;
            int length;
            Peer owner;
            if (version == 4 && n >= 20) {
                length = ((b[ip + 2] & 0xff) << 8) | (b[ip + 3] & 0xff);
                if (length < 20 || length > n) {
                    drop(DropReason.MALFORMED, null);
                    return;
                }
                owner = allowedIps.lookup(b, ip + 12, 4);
            } else if (version == 6 && n >= 40) {
                length = 40 + (((b[ip + 4] & 0xff) << 8) | (b[ip + 5] & 0xff));
                if (length > n) {
                    drop(DropReason.MALFORMED, null);
                    return;
                }
                owner = allowedIps.lookup(b, ip + 8, 16);
            } else {
                drop(DropReason.MALFORMED, null);
                return;
            }
            if (owner != peer) { // inner source not in this peer's AllowedIPs
                drop(DropReason.SOURCE_NOT_ALLOWED, peer);
                return;
            }
            p.plainLength = length;
            p.status = Packet.WRITE;
        }

        /** Reused for every write run (the ring lets one thread write at a time). */
        private final PacketBatch toTun = new PacketBatch(PacketRing.MAX_WRITE);

        @Override
        public void write(Packet[] ring, int mask, long from, int count) {
            for (int i = 0; i < count; i++) {
                Packet p = ring[(int) ((from + i) & mask)];
                if (p.status != Packet.WRITE && p.status != Packet.KEEPALIVE) continue;
                Endpoint src = p.datagram.endpoint;
                if (src != null && src != p.peer.endpoint() && !src.equals(p.peer.endpoint())) p.peer.setEndpoint(src);
                if (p.status != Packet.WRITE) continue;
                toTun.add(p.datagram.data, p.datagram.offset + Messages.DATA_PAYLOAD, p.plainLength);
            }
            if (toTun.size() == 0) return;
            try {
                tun.write(toTun);
            } catch (IOException e) {
                if (running) log.debug("TUN write failed: {}", e.getMessage());
            } finally {
                toTun.clear();
            }
        }
    }

    // ================================================================ control: handshakes, timers

    private void runControl() {
        long nextTick = clock.nanos() + TICK_NANOS;
        while (running) {
            Runnable job;
            try {
                job = control.poll(Math.max(0, nextTick - clock.nanos()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (!running) return;
            try {
                if (job != null) job.run();
                if (clock.nanos() - nextTick >= 0) {
                    nextTick = clock.nanos() + TICK_NANOS;
                    handshakeGate.flush(udp); // cookie replies held when no datagram followed them
                    for (Peer p : peers.values()) runTimers(p);
                }
            } catch (RuntimeException e) {
                log.warn("control task failed: {}", e.toString(), e);
            }
        }
    }

    /**
     * A handshake message that passed the {@link HandshakeGate} (MAC1 checked; under load also MAC2
     * and the rate limit, when admittedUnderLoad).
     */
    private void handleHandshakeMessage(int type, byte[] msg, Endpoint from, boolean admittedUnderLoad) {
        if (type == Constants.TYPE_COOKIE_REPLY) {
            IndexTable.Entry e = indices.lookup(Messages.getInt(msg, Messages.COOKIE_RECEIVER));
            if (e != null) e.tunnel().consumeCookieReply(msg, 0);
            else drop(DropReason.UNKNOWN_PEER, null);
            return;
        }
        CookieChecker cc = cookieChecker;
        LocalIdentity id = identity;
        if (id == null || cc == null) return;
        long now = clock.nanos();
        // queued before the load began: checked now, as wireguard-go checks when it dequeues
        if (!admittedUnderLoad && handshakeGate.underLoad(queuedHandshakes.get(), now)) {
            byte[] src = addressBytes(from);
            if (!cc.checkMac2(msg, 0, msg.length, src)) {
                sendControl(cc.createReply(msg, 0, msg.length, src), from, null);
                handshakeGate.countReply();
                return;
            }
            if (!handshakeGate.allow(from, now)) return;
        }
        if (type == Constants.TYPE_INITIATION) {
            Responder.Result r = Responder.consumeInitiation(id, this::peerByKeyBytes, msg, 0);
            if (r == null) {
                drop(DropReason.UNKNOWN_PEER, null);
                return;
            }
            Peer peer = (Peer) r.tunnel().attachment();
            peer.rxBytes.addAndGet(msg.length);
            peer.setEndpoint(from);
            sendControl(r.response(), from, peer);
            log.debug("{}: handshake response sent to {}", peer, from);
        } else if (type == Constants.TYPE_RESPONSE) {
            IndexTable.Entry e = indices.lookup(Messages.getInt(msg, Messages.RESP_RECEIVER));
            if (e == null || e.keypair() != null) {
                drop(DropReason.UNKNOWN_PEER, null);
                return;
            }
            Tunnel t = e.tunnel();
            if (!t.consumeResponse(msg, 0)) {
                drop(DropReason.AUTHENTICATION, (Peer) t.attachment());
                return;
            }
            Peer peer = (Peer) t.attachment();
            peer.rxBytes.addAndGet(msg.length);
            peer.setEndpoint(from);
            log.debug("{}: handshake complete", peer);
            if (peer.hasStaged()) flushStaged(peer);
            else sendKeepalive(peer);
        }
    }

    private Tunnel peerByKeyBytes(byte[] pub) {
        Peer p = peers.get(Key.of(pub));
        return p == null ? null : p.tunnel;
    }

    private static byte[] addressBytes(Endpoint e) {
        InetSocketAddress a = e.socketAddress();
        byte[] ip = a.getAddress().getAddress();
        byte[] out = Arrays.copyOf(ip, ip.length + 2);
        out[ip.length] = (byte) (a.getPort() >>> 8);
        out[ip.length + 1] = (byte) a.getPort();
        return out;
    }

    private void requestHandshake(Peer peer) {
        control.add(() -> sendInitiation(peer, peer.tunnel.initiateHandshake()));
    }

    private void sendInitiation(Peer peer, byte[] msg) {
        if (msg == null) return;
        noteInitiation(peer);
        Endpoint ep = peer.endpoint();
        if (ep == null) {
            log.debug("{}: no endpoint, cannot start a handshake", peer);
            return;
        }
        sendControl(msg, ep, peer);
        log.debug("{}: handshake initiation sent to {}", peer, ep);
    }

    private void runTimers(Peer peer) {
        Tunnel.Actions a = peer.tunnel.tick();
        if (a.isEmpty()) return;
        if (a.dropStaged()) {
            dropN(DropReason.NO_KEYPAIR, peer, peer.dropStaged());
            log.debug("{}: handshake did not complete after {} attempts, giving up", peer, Constants.MAX_HANDSHAKE_ATTEMPTS + 1);
        }
        if (a.handshakeInitiation() != null) sendInitiation(peer, a.handshakeInitiation());
        if (a.sendKeepalive()) sendKeepalive(peer);
    }

    /**
     * Handshakes count as failing from the first initiation sent after the last completed handshake;
     * once they have failed for 2 x REKEY_TIMEOUT, a host-name endpoint is resolved again. Measured
     * in time, not in retransmissions: while packets are staged (no session), each of them restarts
     * the handshake every REKEY_TIMEOUT with the attempt counter at 0, so under steady traffic the
     * counter never grows and the name would never be resolved again. Control thread only.
     */
    private void noteInitiation(Peer peer) {
        long now = clock.nanos();
        long lastHandshake = peer.tunnel.lastHandshakeWallNanos();
        if (!peer.initiationsFailing || peer.handshakeWhenFailingStarted != lastHandshake) {
            peer.initiationsFailing = true;
            peer.failingSinceNanos = now;
            peer.handshakeWhenFailingStarted = lastHandshake;
        } else if (now - peer.failingSinceNanos >= 2 * Constants.REKEY_TIMEOUT) {
            maybeReresolve(peer);
        }
    }

    /** Re-resolution of a host-name endpoint happens at most this often per peer. */
    static final long RERESOLVE_INTERVAL = Math.max(1_000_000_000L, (long) (15_000_000_000L * Constants.TIME_SCALE));

    /**
     * Beyond the reference implementations: a peer whose Endpoint was a host name and whose
     * handshakes keep failing gets its name resolved again (rate-limited), so a server that moved
     * to a new address is found without an external script.
     */
    private void maybeReresolve(Peer peer) {
        String host = peer.endpointHost();
        long now = clock.nanos();
        if (host == null || (peer.lastResolveNanos != 0 && now - peer.lastResolveNanos < RERESOLVE_INTERVAL)) return;
        peer.lastResolveNanos = now;
        int port = peer.endpointPort();
        Thread.ofPlatform().daemon(true).name("jwg-resolve").start(() -> {
            try {
                Endpoint fresh = Endpoint.of(new InetSocketAddress(java.net.InetAddress.getByName(host), port));
                Endpoint old = peer.endpoint();
                if (host.equals(peer.endpointHost()) && !fresh.sameRemote(old)) { // a sticky source aside
                    peer.setEndpoint(fresh);
                    log.info("{}: endpoint {} now resolves to {} (was {})", peer, host, fresh, old);
                }
            } catch (java.net.UnknownHostException e) {
                log.debug("{}: cannot resolve {}: {}", peer, host, e.getMessage());
            }
        });
    }

    /** Sends staged packets with the current keypair (on the control thread). */
    private void flushStaged(Peer peer) {
        byte[] pkt;
        while ((pkt = peer.firstStaged()) != null) {
            if (!sealAndSend(peer, pkt, pkt.length)) {
                requestHandshake(peer);
                return;
            }
            peer.removeFirstStaged(pkt); // only now: until then new packets queue behind it
        }
    }

    /** Queues one flush of the peer's staged packets on the control thread (at most one pending). */
    private void requestFlush(Peer peer) {
        if (peer.flushQueued.compareAndSet(false, true)) {
            control.add(() -> {
                peer.flushQueued.set(false);
                flushStaged(peer);
            });
        }
    }

    private void sendKeepalive(Peer peer) {
        if (peer.hasStaged()) {
            flushStaged(peer);
            return;
        }
        if (!sealAndSend(peer, null, 0)) requestHandshake(peer);
    }

    private boolean sealAndSend(Peer peer, byte[] plain, int len) {
        Keypair kp = peer.tunnel.sendingKeypair();
        Endpoint ep = peer.endpoint();
        if (kp == null || ep == null) return false;
        synchronized (sendLock) {
            long counter = kp.nextCounter();
            if (counter < 0) return false;
            byte[] b = controlDatagram.data;
            int padded = paddedLength(len);
            if (plain != null) System.arraycopy(plain, 0, b, Messages.DATA_PAYLOAD, len);
            Arrays.fill(b, Messages.DATA_PAYLOAD + len, Messages.DATA_PAYLOAD + padded, (byte) 0);
            controlDatagram.offset = 0;
            controlDatagram.length = kp.seal(counter, b, 0, padded);
            controlDatagram.endpoint = ep;
            peer.txBytes.addAndGet(controlDatagram.length); // counted first: the reply may overtake us
            send(controlBatch);
        }
        peer.tunnel.packetSent(len > 0);
        return true;
    }

    private void sendControl(byte[] msg, Endpoint to, Peer peer) {
        if (peer != null) peer.txBytes.addAndGet(msg.length);
        synchronized (sendLock) {
            System.arraycopy(msg, 0, controlDatagram.data, 0, msg.length);
            controlDatagram.offset = 0;
            controlDatagram.length = msg.length;
            controlDatagram.endpoint = to;
            send(controlBatch);
        }
    }

    private void send(Datagram[] batch) {
        try {
            udp.send(batch, 1);
        } catch (IOException e) {
            log.debug("UDP send to {} failed: {}", batch[0].endpoint, e.getMessage());
        }
    }
}
