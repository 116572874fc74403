package io.jwg.noise;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Bytes;
import io.jwg.crypto.Key;
import io.jwg.crypto.X25519;
import io.jwg.crypto.XChaCha20Poly1305;

/**
 * One handshake seen from the initiator, without a {@link Tunnel}, timers or index table: for load
 * generators that play many peers against one server (io.jwg.loadgen, scripts/bench-scale). It
 * builds an initiation with MAC1, takes a cookie reply (the initiation then carries MAC2 and can be
 * sent again), and checks the response (MAC1 and the Noise computation) and derives the session.
 * Not thread-safe; one object per handshake.
 */
public final class InitiatorHandshake {
    /** What an initiating peer computes once for all its handshakes with one server. */
    public static final class Peer {
        private final LocalIdentity identity;
        private final byte[] serverStatic;
        private final byte[] staticStatic;
        private final byte[] psk;
        private final byte[] serverMac1Key;
        private final byte[] serverCookieKey;

        /** Throws IllegalArgumentException when the server key is a low-order point (no handshake possible). */
        public Peer(Key privateKey, Key serverPublicKey, Key presharedKey) {
            this.identity = new LocalIdentity(privateKey);
            this.serverStatic = serverPublicKey.bytes();
            try {
                this.staticStatic = X25519.sharedSecret(identity.privateKey(), serverStatic);
            } catch (X25519.WeakKeyException e) {
                throw new IllegalArgumentException("the server's public key is unusable (low-order point)");
            }
            this.psk = presharedKey == null ? new byte[32] : presharedKey.bytes();
            this.serverMac1Key = Blake2s.hash(Constants.LABEL_MAC1, serverStatic);
            this.serverCookieKey = Blake2s.hash(Constants.LABEL_COOKIE, serverStatic);
        }

        public Key publicKey() {
            return identity.publicKeyAsKey();
        }
    }

    private final Peer peer;
    private final Handshake handshake = new Handshake();
    private final byte[] initiation;
    private final int senderIndex;

    private InitiatorHandshake(Peer peer, int senderIndex, long wallNanos) throws X25519.WeakKeyException {
        this.peer = peer;
        this.senderIndex = senderIndex;
        this.initiation = handshake.createInitiation(peer.identity, peer.serverStatic, peer.staticStatic, senderIndex, wallNanos);
        int mac1Off = Messages.INIT_MAC1;
        Blake2s.mac(peer.serverMac1Key, initiation, 0, mac1Off, initiation, mac1Off);
    }

    /**
     * Builds an initiation with sender index senderIndex and the TAI64N timestamp of wallNanos (a
     * server drops an initiation whose timestamp, rounded down to about 16 ms, is not later than the
     * last one it accepted from this peer).
     */
    public static InitiatorHandshake create(Peer peer, int senderIndex, long wallNanos) {
        try {
            return new InitiatorHandshake(peer, senderIndex, wallNanos);
        } catch (X25519.WeakKeyException e) {
            throw new IllegalStateException("a fresh ephemeral key gave a zero shared secret", e);
        }
    }

    public Peer peer() {
        return peer;
    }

    public int senderIndex() {
        return senderIndex;
    }

    /** The initiation message (148 bytes) to send; MAC2 is set once a cookie reply was taken. */
    public byte[] initiation() {
        return initiation;
    }

    /**
     * Takes a cookie reply (the server is under load) addressed to this initiation and writes MAC2
     * with the cookie into the initiation, which may then be sent again. Returns false when the reply
     * does not decrypt for this initiation's MAC1.
     */
    public boolean consumeCookieReply(byte[] msg, int off, int len) {
        if (len != Constants.COOKIE_REPLY_SIZE || Messages.getInt(msg, off + Messages.COOKIE_RECEIVER) != senderIndex) return false;
        byte[] nonce = Messages.slice(msg, off + Messages.COOKIE_NONCE, XChaCha20Poly1305.NONCE_LEN);
        byte[] sealed = Messages.slice(msg, off + Messages.COOKIE_ENCRYPTED, Blake2s.MAC_LEN + 16);
        byte[] mac1 = Messages.slice(initiation, Messages.INIT_MAC1, Blake2s.MAC_LEN);
        byte[] cookie = XChaCha20Poly1305.open(peer.serverCookieKey, nonce, sealed, mac1);
        if (cookie == null) return false;
        Blake2s.mac(cookie, initiation, 0, Messages.INIT_MAC2, initiation, Messages.INIT_MAC2);
        Bytes.wipe(cookie);
        return true;
    }

    /**
     * Checks a handshake response (type, size, receiver index, MAC1 for our key, then the Noise
     * computation with the PSK) and returns the session's keypair, or null when it is not a valid
     * response to this initiation. createdNanos stamps the keypair (monotonic clock).
     */
    public Keypair consumeResponse(byte[] msg, int off, int len, long createdNanos) {
        if (Messages.typeOf(msg, off, len) != Constants.TYPE_RESPONSE) return null;
        if (Messages.getInt(msg, off + Messages.RESP_RECEIVER) != senderIndex) return null;
        byte[] mac = new byte[Blake2s.MAC_LEN];
        Blake2s.mac(peer.identity.mac1Key, msg, off, Messages.RESP_MAC1, mac, 0);
        if (!Bytes.constantTimeEquals(mac, 0, msg, off + Messages.RESP_MAC1, Blake2s.MAC_LEN)) return null;
        Handshake.Derived d = handshake.consumeResponse(peer.identity, msg, off, peer.psk);
        if (d == null) return null;
        Keypair kp = new Keypair(d.sendKey(), d.receiveKey(), true, senderIndex, handshake.remoteIndex, createdNanos);
        Bytes.wipe(d.sendKey());
        Bytes.wipe(d.receiveKey());
        return kp;
    }
}
