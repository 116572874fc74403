package io.jwg.noise;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Bytes;
import io.jwg.crypto.ChaCha20Poly1305;
import io.jwg.crypto.HChaCha20;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The receiving side of WireGuard's DoS defence: checks MAC1 of every handshake message (which proves
 * the sender knows our public key), checks MAC2 when under load, and builds cookie replies. The
 * cookie secret is replaced every COOKIE_REFRESH_TIME. Thread-safe.
 *
 * <p>Under a flood these run once per datagram, so the working memory (keyed digests, buffers, the
 * last source's cookie) lives in a {@link Scratch} that a thread keeps and passes in: with it the
 * checks and the reply allocate nothing. The methods without a Scratch share one under a lock.
 *
 * <p>A cookie reply's 24-byte XChaCha20-Poly1305 nonce only has to be unique: it is a random 16-byte
 * prefix drawn with each cookie secret followed by a 64-bit counter. The prefix fixes the HChaCha20
 * subkey for the secret's lifetime, so it is derived once instead of per reply; the subkey comes
 * from the public cookie key and the nonce sent in the clear, so keeping it protects nothing.
 */
public final class CookieChecker {
    private final LocalIdentity identity;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile Secret secret;
    private final Scratch shared;

    /** One COOKIE_REFRESH_TIME period: the secret cookies are made from, and the reply nonces and key. */
    private static final class Secret {
        final byte[] key = new byte[32];
        final long setNanos;
        final byte[] noncePrefix = new byte[16];
        final SecretKey sealKey;
        final AtomicLong nonceCounter;

        Secret(SecureRandom random, byte[] cookieKey, long now) {
            random.nextBytes(key);
            random.nextBytes(noncePrefix);
            byte[] sub = HChaCha20.derive(cookieKey, noncePrefix);
            sealKey = ChaCha20Poly1305.key(sub);
            Bytes.wipe(sub);
            nonceCounter = new AtomicLong(random.nextLong());
            setNanos = now;
        }
    }

    public CookieChecker(LocalIdentity identity, Clock clock) {
        this.identity = identity;
        this.clock = clock;
        this.shared = new Scratch(this);
    }

    /**
     * A thread's working memory for the checks of this checker (not thread-safe: one per thread).
     * It remembers the cookie of the last source, so a burst from one address costs one cookie.
     */
    public static final class Scratch {
        private final CookieChecker owner;
        private final Blake2sDigest mac1Digest;
        private final byte[] mac = new byte[Blake2s.MAC_LEN];
        private final byte[] mac1 = new byte[Blake2s.MAC_LEN];
        private final byte[] source = new byte[18];
        private int sourceLength = -1;
        private Secret cookieSecret;
        private final byte[] cookie = new byte[Blake2s.MAC_LEN];
        private Blake2sDigest mac2Digest;

        private Scratch(CookieChecker owner) {
            this.owner = owner;
            this.mac1Digest = new Blake2sDigest(owner.identity.mac1Key, Blake2s.MAC_LEN, null, null);
        }

        /** The digest keyed with the cookie for sourceAddress under s, computing it on a change. */
        private Blake2sDigest mac2Digest(Secret s, byte[] sourceAddress) {
            int n = sourceAddress.length;
            boolean same = s == cookieSecret && n == sourceLength && Bytes.constantTimeEquals(source, 0, sourceAddress, 0, n);
            if (!same) {
                if (n > source.length) throw new IllegalArgumentException("source address of " + n + " bytes");
                Blake2s.mac(s.key, sourceAddress, 0, n, cookie, 0);
                if (mac2Digest != null) mac2Digest.clearKey();
                mac2Digest = new Blake2sDigest(cookie, Blake2s.MAC_LEN, null, null);
                System.arraycopy(sourceAddress, 0, source, 0, n);
                sourceLength = n;
                cookieSecret = s;
            } else {
                mac2Digest.reset();
            }
            return mac2Digest;
        }
    }

    /** Working memory for one thread's use of {@link #checkMac1(byte[], int, int, Scratch)} and the like. */
    public Scratch newScratch() {
        return new Scratch(this);
    }

    /** True when msg[off, off+len) carries a valid MAC1 for our public key (constant-time compare). */
    public boolean checkMac1(byte[] msg, int off, int len, Scratch s) {
        checkOwner(s);
        Blake2sDigest d = s.mac1Digest;
        d.reset();
        d.update(msg, off, len - 2 * Blake2s.MAC_LEN);
        d.doFinal(s.mac, 0);
        return Bytes.constantTimeEquals(s.mac, 0, msg, off + len - 2 * Blake2s.MAC_LEN, Blake2s.MAC_LEN);
    }

    /**
     * True when msg carries a valid MAC2 for a cookie we would give to this source address (the
     * address and port bytes, at most 18), with a secret younger than COOKIE_REFRESH_TIME.
     */
    public boolean checkMac2(byte[] msg, int off, int len, byte[] sourceAddress, Scratch s) {
        checkOwner(s);
        Secret current = secret;
        if (current == null || clock.nanos() - current.setNanos > Constants.COOKIE_REFRESH_TIME) return false;
        // a sender without a cookie sends zeros (what a flood does): no MAC is that, skip computing one
        if (isZero(msg, off + len - Blake2s.MAC_LEN, Blake2s.MAC_LEN)) return false;
        Blake2sDigest d = s.mac2Digest(current, sourceAddress);
        d.update(msg, off, len - Blake2s.MAC_LEN);
        d.doFinal(s.mac, 0);
        return Bytes.constantTimeEquals(s.mac, 0, msg, off + len - Blake2s.MAC_LEN, Blake2s.MAC_LEN);
    }

    /**
     * Writes a cookie reply (64 bytes) to the handshake message msg received from sourceAddress
     * into out[outOff..]: the cookie, sealed with the message's MAC1 as associated data.
     */
    public void writeReply(byte[] msg, int off, int len, byte[] sourceAddress, Scratch s, byte[] out, int outOff) {
        checkOwner(s);
        Secret current = secretForReply();
        s.mac2Digest(current, sourceAddress); // computes the cookie unless checkMac2 just did
        System.arraycopy(msg, off + len - 2 * Blake2s.MAC_LEN, s.mac1, 0, Blake2s.MAC_LEN);
        long counter = current.nonceCounter.getAndIncrement();
        Messages.putType(out, outOff, Constants.TYPE_COOKIE_REPLY);
        System.arraycopy(msg, off + 4, out, outOff + Messages.COOKIE_RECEIVER, 4); // the sender index of msg
        System.arraycopy(current.noncePrefix, 0, out, outOff + Messages.COOKIE_NONCE, 16);
        Messages.putLong(out, outOff + Messages.COOKIE_NONCE + 16, counter);
        ChaCha20Poly1305.seal(current.sealKey, counter, s.mac1, s.cookie, 0, Blake2s.MAC_LEN, out, outOff + Messages.COOKIE_ENCRYPTED);
    }

    /** {@link #checkMac1(byte[], int, int, Scratch)} with a shared Scratch. */
    public boolean checkMac1(byte[] msg, int off, int len) {
        synchronized (shared) {
            return checkMac1(msg, off, len, shared);
        }
    }

    /** {@link #checkMac2(byte[], int, int, byte[], Scratch)} with a shared Scratch. */
    public boolean checkMac2(byte[] msg, int off, int len, byte[] sourceAddress) {
        synchronized (shared) {
            return checkMac2(msg, off, len, sourceAddress, shared);
        }
    }

    /** A new cookie reply (64 bytes), see {@link #writeReply}. */
    public byte[] createReply(byte[] msg, int off, int len, byte[] sourceAddress) {
        byte[] reply = new byte[Constants.COOKIE_REPLY_SIZE];
        synchronized (shared) {
            writeReply(msg, off, len, sourceAddress, shared, reply, 0);
        }
        return reply;
    }

    /** The current secret, replaced first when it is older than COOKIE_REFRESH_TIME. */
    private Secret secretForReply() {
        Secret current = secret;
        long now = clock.nanos();
        if (current != null && now - current.setNanos <= Constants.COOKIE_REFRESH_TIME) return current;
        synchronized (this) {
            current = secret;
            if (current == null || now - current.setNanos > Constants.COOKIE_REFRESH_TIME) {
                current = new Secret(random, identity.cookieKey, now);
                secret = current;
            }
            return current;
        }
    }

    /** Whether b[off, off+len) is all zeros (public bytes: the received MAC2 field). */
    private static boolean isZero(byte[] b, int off, int len) {
        int acc = 0;
        for (int i = 0; i < len; i++) acc |= b[off + i];
        return acc == 0;
    }

    private void checkOwner(Scratch s) {
        if (s.owner != this) throw new IllegalArgumentException("a Scratch of another CookieChecker");
    }
}
