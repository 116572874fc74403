package io.jwg.noise;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Bytes;
import io.jwg.crypto.XChaCha20Poly1305;
import java.security.SecureRandom;

/**
 * The receiving side of WireGuard's DoS defence: checks MAC1 of every handshake message (which proves
 * the sender knows our public key), checks MAC2 when under load, and builds cookie replies. The
 * cookie secret is replaced every COOKIE_REFRESH_TIME. Thread-safe.
 */
public final class CookieChecker {
    private final LocalIdentity identity;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private byte[] secret = new byte[32];
    private long secretSetNanos;
    private boolean secretSet;

    public CookieChecker(LocalIdentity identity, Clock clock) {
        this.identity = identity;
        this.clock = clock;
    }

    /** True when msg[off, off+len) carries a valid MAC1 for our public key (constant-time compare). */
    public boolean checkMac1(byte[] msg, int off, int len) {
        byte[] mac = new byte[Blake2s.MAC_LEN];
        int macOff = off + len - 2 * Blake2s.MAC_LEN;
        Blake2s.mac(identity.mac1Key, msg, off, len - 2 * Blake2s.MAC_LEN, mac, 0);
        return Bytes.constantTimeEquals(mac, 0, msg, macOff, Blake2s.MAC_LEN);
    }

    /** True when msg carries a valid MAC2 for a cookie we would give to this source address. */
    public synchronized boolean checkMac2(byte[] msg, int off, int len, byte[] sourceAddress) {
        if (!secretSet || clock.nanos() - secretSetNanos > Constants.COOKIE_REFRESH_TIME) return false;
        byte[] cookie = Blake2s.mac(secret, sourceAddress);
        byte[] mac = new byte[Blake2s.MAC_LEN];
        Blake2s.mac(cookie, msg, off, len - Blake2s.MAC_LEN, mac, 0);
        return Bytes.constantTimeEquals(mac, 0, msg, off + len - Blake2s.MAC_LEN, Blake2s.MAC_LEN);
    }

    /**
     * A cookie reply (64 bytes) to the handshake message msg received from sourceAddress (the
     * address and port bytes that MAC2 will be bound to).
     */
    public synchronized byte[] createReply(byte[] msg, int off, int len, byte[] sourceAddress) {
        long now = clock.nanos();
        if (!secretSet || now - secretSetNanos > Constants.COOKIE_REFRESH_TIME) {
            random.nextBytes(secret);
            secretSetNanos = now;
            secretSet = true;
        }
        byte[] cookie = Blake2s.mac(secret, sourceAddress);
        byte[] nonce = new byte[XChaCha20Poly1305.NONCE_LEN];
        random.nextBytes(nonce);
        byte[] mac1 = Messages.slice(msg, off + len - 2 * Blake2s.MAC_LEN, Blake2s.MAC_LEN);
        byte[] sealed = XChaCha20Poly1305.seal(identity.cookieKey, nonce, cookie, mac1);
        byte[] reply = new byte[Constants.COOKIE_REPLY_SIZE];
        Messages.putType(reply, 0, Constants.TYPE_COOKIE_REPLY);
        System.arraycopy(msg, off + 4, reply, Messages.COOKIE_RECEIVER, 4); // the sender index of msg
        System.arraycopy(nonce, 0, reply, Messages.COOKIE_NONCE, nonce.length);
        System.arraycopy(sealed, 0, reply, Messages.COOKIE_ENCRYPTED, sealed.length);
        Bytes.wipe(cookie);
        return reply;
    }
}
