package io.jwg.noise;

import io.jwg.crypto.Bytes;
import io.jwg.crypto.Key;
import io.jwg.crypto.X25519;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The protocol state of one peer, free of I/O (the shape of boringtun's {@code Tunn}): the handshake,
 * the previous/current/next keypairs and the timers of whitepaper section 6. The caller moves bytes
 * and owns the sockets; this class answers "given these bytes and this time, what must be sent?".
 *
 * <p>Handshake methods are synchronized. The per-packet methods ({@link #sendingKeypair()},
 * {@link #packetSent}, {@link #packetReceived}) only touch volatile fields and take the lock only
 * when a keypair rotates, so crypto workers can call them concurrently.
 */
public final class Tunnel {
    private static final long NEVER = Long.MIN_VALUE;
    private static final byte[] ZERO_PSK = new byte[32];

    private final Clock clock;
    private final IndexTable indices;
    private final byte[] remoteStatic;
    private final Key remoteKey;
    private final CookieJar cookies;
    private final Handshake handshake = new Handshake();
    private volatile LocalIdentity identity;
    private byte[] staticStatic;
    private volatile byte[] psk = ZERO_PSK;
    private volatile long persistentKeepaliveNanos;

    private volatile Keypair previous;
    private volatile Keypair current;
    private volatile Keypair next;

    // timers; NEVER when not armed
    private volatile long newHandshakeDeadline = NEVER;
    private volatile long keepaliveDeadline = NEVER;
    private volatile boolean needAnotherKeepalive;
    private volatile long lastTraversal = NEVER;
    private volatile long lastDataSent = NEVER;
    private volatile long lastDataReceived = NEVER;
    private long retransmitDeadline = NEVER;
    private int attempts;
    private long lastInitiationSent = NEVER;
    private long zeroDeadline = NEVER;
    private boolean sentLastMinuteHandshake;
    private volatile long lastHandshakeWallNanos;

    /** What the timers ask the caller to do. */
    public record Actions(byte[] handshakeInitiation, boolean sendKeepalive, boolean dropStaged) {
        static final Actions NONE = new Actions(null, false, false);

        public boolean isEmpty() {
            return handshakeInitiation == null && !sendKeepalive && !dropStaged;
        }
    }

    public Tunnel(LocalIdentity identity, Key remoteStatic, Key presharedKey, int persistentKeepaliveSeconds,
                  IndexTable indices, Clock clock) {
        this.clock = clock;
        this.indices = indices;
        this.remoteKey = remoteStatic;
        this.remoteStatic = remoteStatic.bytes();
        this.cookies = new CookieJar(this.remoteStatic);
        setPresharedKey(presharedKey);
        setPersistentKeepalive(persistentKeepaliveSeconds);
        setLocalIdentity(identity);
    }

    private volatile Object attachment;
    private volatile KeyLog keyLog;

    /**
     * Receives the secrets Wireshark needs to decrypt this peer's traffic, once per handshake.
     * Only for debugging: whoever holds them can read the tunnel.
     */
    public interface KeyLog {
        void log(byte[] localStaticPrivate, byte[] remoteStaticPublic, byte[] localEphemeralPrivate, byte[] presharedKey);
    }

    /** Turns key logging on (non-null) or off. */
    public synchronized void setKeyLog(KeyLog log) {
        this.keyLog = log;
        handshake.keepEphemeralForLog = log != null;
    }

    private void emitKeyLog() {
        byte[] eph = handshake.ephemeralForLog;
        handshake.ephemeralForLog = null;
        KeyLog kl = keyLog;
        if (kl != null && eph != null && identity != null) kl.log(identity.privateKey(), remoteStatic, eph, psk);
        Bytes.wipe(eph);
    }

    /** Attaches the caller's object for this peer (found again from an index-table lookup). */
    public void attach(Object o) {
        this.attachment = o;
    }

    public Object attachment() {
        return attachment;
    }

    public Key remoteKey() {
        return remoteKey;
    }

    /** Replaces our static identity (a new private key, or null for none): recomputes the static-static secret. */
    public synchronized void setLocalIdentity(LocalIdentity id) {
        this.identity = id;
        Bytes.wipe(staticStatic);
        if (id == null) {
            staticStatic = null;
            handshake.clear();
            return;
        }
        try {
            staticStatic = X25519.sharedSecret(id.privateKey(), remoteStatic);
        } catch (X25519.WeakKeyException e) {
            staticStatic = null; // no handshake is possible with this peer
        }
        handshake.clear();
    }

    public void setPresharedKey(Key key) {
        this.psk = key == null ? ZERO_PSK : key.bytes();
    }

    public void setPersistentKeepalive(int seconds) {
        this.persistentKeepaliveNanos = seconds * 1_000_000_000L;
    }

    public int persistentKeepaliveSeconds() {
        return (int) (persistentKeepaliveNanos / 1_000_000_000L);
    }

    /** Wall-clock time of the last completed handshake (ns since the epoch), 0 if none. */
    public long lastHandshakeWallNanos() {
        return lastHandshakeWallNanos;
    }

    public Keypair currentKeypair() {
        return current;
    }

    // ---------------------------------------------------------------- handshake

    /**
     * A handshake initiation (148 bytes) to send now because data is waiting or keys are old, or
     * null when one was sent less than REKEY_TIMEOUT ago (or the peer's key is unusable).
     */
    public synchronized byte[] initiateHandshake() {
        long now = clock.nanos();
        if (lastInitiationSent != NEVER && now - lastInitiationSent < Constants.REKEY_TIMEOUT) return null;
        Keypair n = next;
        if (n != null && now - n.createdNanos() < Constants.REKEY_TIMEOUT) return null; // awaiting confirmation
        attempts = 0;
        return buildInitiation(now);
    }

    private byte[] buildInitiation(long now) {
        if (staticStatic == null) return null;
        if (handshake.hasLocalIndex) indices.release(handshake.localIndex);
        int index = indices.allocate(this);
        byte[] msg;
        try {
            msg = handshake.createInitiation(identity, remoteStatic, staticStatic, index, clock.wallNanos());
        } catch (X25519.WeakKeyException e) {
            indices.release(index);
            handshake.clear();
            return null;
        }
        emitKeyLog();
        cookies.addMacs(msg, now);
        lastInitiationSent = now;
        retransmitDeadline = now + Constants.REKEY_TIMEOUT + jitter();
        packetSent(false);
        return msg;
    }

    /**
     * Second half of consuming an initiation (the device has checked MAC1 and found this tunnel by
     * the decrypted static key). Returns the response to send (92 bytes), or null to drop.
     */
    synchronized byte[] consumeInitiationAndRespond(Handshake.DecryptedInitiation d) {
        long now = clock.nanos();
        if (staticStatic == null) return null;
        if (!handshake.consumeInitiation(d, staticStatic, now)) return null;
        packetReceived(null, false);
        int index = indices.allocate(this);
        Handshake.Derived derived;
        try {
            derived = handshake.createResponse(remoteStatic, psk, index);
        } catch (X25519.WeakKeyException e) {
            indices.release(index);
            handshake.clear();
            return null;
        }
        emitKeyLog();
        Keypair kp = new Keypair(derived.sendKey(), derived.receiveKey(), false, index, handshake.remoteIndex, now);
        Bytes.wipe(derived.sendKey());
        Bytes.wipe(derived.receiveKey());
        indices.bind(index, kp);
        installAsResponder(kp);
        sessionDerived(now);
        byte[] msg = derived.msg();
        cookies.addMacs(msg, now);
        packetSent(false);
        return msg;
    }

    /**
     * Consumes a handshake response (92 bytes, MAC1 already checked by the device) addressed to our
     * pending initiation. Returns true when a new session is ready: the caller then sends its
     * staged packets, or a keepalive when it has none, to confirm the session to the responder.
     */
    public synchronized boolean consumeResponse(byte[] msg, int off) {
        long now = clock.nanos();
        if (Messages.getInt(msg, off + Messages.RESP_RECEIVER) != handshake.localIndex || !handshake.hasLocalIndex) return false;
        Handshake.Derived derived = handshake.consumeResponse(identity, msg, off, psk);
        if (derived == null) return false;
        int index = handshake.localIndex;
        handshake.hasLocalIndex = false;
        Keypair kp = new Keypair(derived.sendKey(), derived.receiveKey(), true, index, handshake.remoteIndex, now);
        Bytes.wipe(derived.sendKey());
        Bytes.wipe(derived.receiveKey());
        indices.bind(index, kp);
        installAsInitiator(kp);
        packetReceived(null, false);
        sessionDerived(now);
        handshakeComplete();
        return true;
    }

    /** Accepts a cookie reply for this peer (the device found us by its receiver index). */
    public synchronized boolean consumeCookieReply(byte[] msg, int off) {
        return cookies.consumeReply(msg, off, clock.nanos());
    }

    private void installAsInitiator(Keypair kp) {
        Keypair oldPrevious = previous, oldCurrent = current, oldNext = next;
        if (oldNext != null) {
            next = null;
            previous = oldNext;
            drop(oldCurrent);
        } else {
            previous = oldCurrent;
        }
        drop(oldPrevious);
        current = kp;
    }

    private void installAsResponder(Keypair kp) {
        Keypair oldNext = next, oldPrevious = previous;
        next = kp;
        drop(oldNext);
        previous = null;
        drop(oldPrevious);
    }

    private void drop(Keypair kp) {
        if (kp == null) return;
        indices.release(kp.localIndex());
        kp.destroy();
    }

    private void sessionDerived(long now) {
        zeroDeadline = now + 3 * Constants.REJECT_AFTER_TIME;
    }

    private void handshakeComplete() {
        retransmitDeadline = NEVER;
        attempts = 0;
        sentLastMinuteHandshake = false;
        lastHandshakeWallNanos = clock.wallNanos();
    }

    // ---------------------------------------------------------------- data path

    /** The keypair to seal with now, or null when the caller must stage the packet and handshake. */
    public Keypair sendingKeypair() {
        Keypair kp = current;
        return kp != null && kp.canSend(clock.nanos()) ? kp : null;
    }

    /** Notes that an authenticated packet was sent; {@code data} is false for keepalives and handshakes. */
    public void packetSent(boolean data) {
        long now = clock.nanos();
        if (keepaliveDeadline != NEVER) keepaliveDeadline = NEVER;
        lastTraversal = now;
        if (data) {
            lastDataSent = now;
            if (newHandshakeDeadline == NEVER) {
                newHandshakeDeadline = now + Constants.KEEPALIVE_TIMEOUT + Constants.REKEY_TIMEOUT + jitter();
            }
        }
    }

    /**
     * Notes an authenticated packet received with keypair kp (null for handshake messages). Returns
     * true when kp confirmed a pending responder session (it became current): the caller should
     * then send its staged packets.
     */
    public boolean packetReceived(Keypair kp, boolean data) {
        long now = clock.nanos();
        if (newHandshakeDeadline != NEVER) newHandshakeDeadline = NEVER;
        lastTraversal = now;
        if (data) {
            lastDataReceived = now;
            if (keepaliveDeadline == NEVER) keepaliveDeadline = now + Constants.KEEPALIVE_TIMEOUT;
            else needAnotherKeepalive = true;
        }
        if (kp != null && kp == next) return confirm(kp);
        return false;
    }

    private synchronized boolean confirm(Keypair kp) {
        if (next != kp) return false;
        Keypair oldPrevious = previous;
        previous = current;
        current = kp;
        next = null;
        drop(oldPrevious);
        handshakeComplete();
        return true;
    }

    // ---------------------------------------------------------------- timers

    /**
     * Runs the timers at the current time (call it every few hundred milliseconds, or sooner) and
     * returns what to send. Implements: handshake retransmission every REKEY_TIMEOUT + jitter and
     * giving up after REKEY_ATTEMPT_TIME; a new handshake when data sent got no reply within
     * KEEPALIVE + REKEY_TIMEOUT; passive keepalives; persistent keepalives; rekeying by the
     * initiator after REKEY_AFTER_TIME / REKEY_AFTER_MESSAGES (and near REJECT_AFTER_TIME when
     * receiving); zeroing all key material after 3 x REJECT_AFTER_TIME without a new session.
     */
    public synchronized Actions tick() {
        long now = clock.nanos();
        byte[] initiation = null;
        boolean keepalive = false, dropStaged = false;

        if (retransmitDeadline != NEVER && now - retransmitDeadline >= 0) {
            if (attempts > Constants.MAX_HANDSHAKE_ATTEMPTS) {
                retransmitDeadline = NEVER;
                keepaliveDeadline = NEVER;
                dropStaged = true;
                if (handshake.hasLocalIndex) indices.release(handshake.localIndex);
                handshake.clear();
                if (zeroDeadline == NEVER) zeroDeadline = now + 3 * Constants.REJECT_AFTER_TIME;
            } else {
                attempts++;
                initiation = buildInitiation(now);
            }
        }
        long ka = keepaliveDeadline;
        if (ka != NEVER && now - ka >= 0) {
            keepalive = true;
            keepaliveDeadline = NEVER;
            if (needAnotherKeepalive) {
                needAnotherKeepalive = false;
                keepaliveDeadline = now + Constants.KEEPALIVE_TIMEOUT;
            }
        }
        long nh = newHandshakeDeadline;
        if (nh != NEVER && now - nh >= 0) {
            newHandshakeDeadline = NEVER;
            if (initiation == null) initiation = initiateHandshake();
        }
        if (zeroDeadline != NEVER && now - zeroDeadline >= 0) {
            zeroDeadline = NEVER;
            zeroKeyMaterial();
        }
        long pk = persistentKeepaliveNanos;
        if (pk > 0 && (lastTraversal == NEVER || now - lastTraversal >= pk)) keepalive = true;

        Keypair cur = current;
        if (cur != null && cur.isInitiator() && initiation == null && retransmitDeadline == NEVER) {
            long sent = lastDataSent;
            boolean aged = sent != NEVER && sent - cur.createdNanos() >= Constants.REKEY_AFTER_TIME;
            boolean used = Long.compareUnsigned(cur.sentMessages(), Constants.REKEY_AFTER_MESSAGES) > 0;
            long received = lastDataReceived;
            boolean lastMinute = !sentLastMinuteHandshake && received != NEVER
                    && received - cur.createdNanos() >= Constants.REJECT_AFTER_TIME - Constants.KEEPALIVE_TIMEOUT - Constants.REKEY_TIMEOUT;
            if (aged || used || lastMinute) {
                if (lastMinute) sentLastMinuteHandshake = true;
                initiation = initiateHandshake();
            }
        }
        if (initiation == null && !keepalive && !dropStaged) return Actions.NONE;
        return new Actions(initiation, keepalive, dropStaged);
    }

    /** Forgets every keypair and the handshake in progress. */
    public synchronized void zeroKeyMaterial() {
        drop(previous);
        drop(current);
        drop(next);
        previous = current = next = null;
        if (handshake.hasLocalIndex) indices.release(handshake.localIndex);
        handshake.clear();
        retransmitDeadline = NEVER;
    }

    /** Forgets everything, e.g. when the peer is removed; its indices are released. */
    public synchronized void close() {
        zeroKeyMaterial();
        Bytes.wipe(staticStatic);
        staticStatic = null;
    }

    private static long jitter() {
        return ThreadLocalRandom.current().nextLong(Constants.REKEY_TIMEOUT_JITTER_MAX);
    }

    @Override
    public String toString() {
        return "Tunnel(" + java.util.Base64.getEncoder().encodeToString(remoteStatic) + ")";
    }
}
