package io.jwg.noise;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Bytes;
import io.jwg.crypto.XChaCha20Poly1305;

/**
 * The sending side of the DoS defence for one peer: adds MAC1 (and MAC2 while we hold a fresh cookie
 * from that peer) to our handshake messages, and accepts the peer's cookie replies. Guarded by the
 * owning Tunnel's lock.
 */
final class CookieJar {
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final byte[] lastMac1 = new byte[Blake2s.MAC_LEN];
    private boolean hasLastMac1;
    private byte[] cookie;
    private long cookieSetNanos;

    CookieJar(byte[] peerPublicKey) {
        this.mac1Key = Blake2s.hash(Constants.LABEL_MAC1, peerPublicKey);
        this.cookieKey = Blake2s.hash(Constants.LABEL_COOKIE, peerPublicKey);
    }

    /** Writes MAC1 and MAC2 (zeros without a fresh cookie) into the last 32 bytes of msg. */
    void addMacs(byte[] msg, long now) {
        int mac1Off = msg.length - 2 * Blake2s.MAC_LEN;
        Blake2s.mac(mac1Key, msg, 0, mac1Off, msg, mac1Off);
        System.arraycopy(msg, mac1Off, lastMac1, 0, Blake2s.MAC_LEN);
        hasLastMac1 = true;
        int mac2Off = msg.length - Blake2s.MAC_LEN;
        if (cookie != null && now - cookieSetNanos < Constants.COOKIE_REFRESH_TIME) {
            Blake2s.mac(cookie, msg, 0, mac2Off, msg, mac2Off);
        } else {
            java.util.Arrays.fill(msg, mac2Off, msg.length, (byte) 0);
        }
    }

    /** Accepts a cookie reply (64 bytes). Returns false when it does not decrypt for our last MAC1. */
    boolean consumeReply(byte[] reply, int off, long now) {
        if (!hasLastMac1) return false;
        byte[] nonce = Messages.slice(reply, off + Messages.COOKIE_NONCE, XChaCha20Poly1305.NONCE_LEN);
        byte[] sealed = Messages.slice(reply, off + Messages.COOKIE_ENCRYPTED, Blake2s.MAC_LEN + 16);
        byte[] opened = XChaCha20Poly1305.open(cookieKey, nonce, sealed, lastMac1.clone());
        if (opened == null) return false;
        Bytes.wipe(cookie);
        cookie = opened;
        cookieSetNanos = now;
        hasLastMac1 = false;
        return true;
    }

    boolean hasFreshCookie(long now) {
        return cookie != null && now - cookieSetNanos < Constants.COOKIE_REFRESH_TIME;
    }
}
