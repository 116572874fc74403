package io.jwg.noise;

import io.jwg.crypto.ChaCha20Poly1305;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.DestroyFailedException;

/**
 * One session's transport keys (the result of a completed handshake): sealing and opening of
 * transport data messages, the send counter and the receive replay window. Safe for concurrent use
 * by several crypto workers; counters are assigned by the caller through {@link #nextCounter()} so
 * that the order of packets is decided in one place.
 */
public final class Keypair {
    /** {@link #open} result: the message is not authentic (or too short, or the keypair was destroyed). */
    public static final int FORGED = -1;
    /** {@link #open} result: the counter was seen before, or is too old for the replay window. */
    public static final int REPLAYED = -2;

    private final SecretKey sendKey;
    private final SecretKey receiveKey;
    private final AtomicLong sendCounter = new AtomicLong();
    private final ReplayWindow replay = new ReplayWindow();
    private final long createdNanos;
    private final boolean initiator;
    private final int localIndex;
    private final int remoteIndex;
    private volatile boolean destroyed;

    Keypair(byte[] sendKey, byte[] receiveKey, boolean initiator, int localIndex, int remoteIndex, long createdNanos) {
        this.sendKey = ChaCha20Poly1305.key(sendKey);
        this.receiveKey = ChaCha20Poly1305.key(receiveKey);
        this.initiator = initiator;
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.createdNanos = createdNanos;
    }

    public boolean isInitiator() {
        return initiator;
    }

    public int localIndex() {
        return localIndex;
    }

    public int remoteIndex() {
        return remoteIndex;
    }

    public long createdNanos() {
        return createdNanos;
    }

    /** Messages sent so far with this keypair. */
    public long sentMessages() {
        return sendCounter.get();
    }

    /**
     * The counter for the next message, or -1 when this keypair must not send any more
     * (REJECT_AFTER_MESSAGES reached, or it was destroyed).
     */
    public long nextCounter() {
        if (destroyed) return -1;
        long c = sendCounter.getAndIncrement();
        if (Long.compareUnsigned(c, Constants.REJECT_AFTER_MESSAGES) >= 0) {
            sendCounter.set(Constants.REJECT_AFTER_MESSAGES);
            return -1;
        }
        return c;
    }

    /** Moves the send counter (tests near the message limits). */
    void skipCounterTo(long counter) {
        sendCounter.set(counter);
    }

    /** True while this keypair may still be used to send at time now (REJECT_AFTER_TIME/MESSAGES). */
    public boolean canSend(long now) {
        return !destroyed && now - createdNanos < Constants.REJECT_AFTER_TIME
                && Long.compareUnsigned(sendCounter.get(), Constants.REJECT_AFTER_MESSAGES) < 0;
    }

    /** True while messages received with this keypair may still be accepted at time now. */
    public boolean canReceive(long now) {
        return !destroyed && now - createdNanos < Constants.REJECT_AFTER_TIME;
    }

    /**
     * Builds a transport message in place. The plaintext (already padded by the caller) is at
     * buf[off + 16, off + 16 + paddedLength); the header is written at buf[off, off + 16) and the
     * ciphertext with its tag replaces the plaintext. Returns the message length.
     */
    public int seal(long counter, byte[] buf, int off, int paddedLength) {
        Messages.putType(buf, off, Constants.TYPE_TRANSPORT);
        Messages.putInt(buf, off + Messages.DATA_RECEIVER, remoteIndex);
        Messages.putLong(buf, off + Messages.DATA_COUNTER, counter);
        int p = off + Messages.DATA_PAYLOAD;
        return Constants.TRANSPORT_HEADER_SIZE + ChaCha20Poly1305.seal(sendKey, counter, null, buf, p, paddedLength, buf, p);
    }

    /**
     * Authenticates and decrypts the transport message buf[off, off+len) in place: the plaintext
     * lands at buf[off + 16, ...). Returns its length (keepalives: 0), {@link #FORGED} when the
     * message is not authentic, or {@link #REPLAYED} when it is replayed, too old or past the counter
     * limit (both negative). The replay window is updated only for authentic messages.
     */
    public int open(byte[] buf, int off, int len) {
        if (destroyed || len < Constants.TRANSPORT_MIN_SIZE) return FORGED;
        long counter = Messages.getLong(buf, off + Messages.DATA_COUNTER);
        if (!replay.mayAccept(counter)) return REPLAYED;
        int p = off + Messages.DATA_PAYLOAD;
        int n = ChaCha20Poly1305.open(receiveKey, counter, null, buf, p, len - Constants.TRANSPORT_HEADER_SIZE, buf, p);
        if (n < 0) return FORGED;
        return replay.accept(counter) ? n : REPLAYED;
    }

    /** Forgets the keys; later seal/open calls fail. */
    public void destroy() {
        destroyed = true;
        forget(sendKey);
        forget(receiveKey);
    }

    /**
     * Destroys a key that supports it. A SecretKeySpec (what ChaCha20Poly1305.key returns) does not:
     * its destroy() only throws, which cost two stack traces per dropped keypair, i.e. per handshake
     * on a busy server; the reference is dropped anyway.
     */
    private static void forget(SecretKey key) {
        if (key instanceof SecretKeySpec) return;
        try {
            key.destroy();
        } catch (DestroyFailedException ignored) {
            // as for SecretKeySpec: nothing more can be done than dropping the reference
        }
    }

    @Override
    public String toString() {
        return "Keypair(local=" + Integer.toUnsignedString(localIndex) + ", remote=" + Integer.toUnsignedString(remoteIndex)
                + (initiator ? ", initiator" : ", responder") + ")";
    }
}
