package io.jwg.noise;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Key;

/**
 * Our static key pair and what is derived from it once: the initial handshake hash a responder
 * starts from, and the keys for checking MAC1 and sealing cookie replies sent to us.
 */
public final class LocalIdentity {
    private final byte[] privateKey;
    private final byte[] publicKey;
    final byte[] responderInitialHash;
    final byte[] mac1Key;
    final byte[] cookieKey;

    public LocalIdentity(Key privateKey) {
        this.privateKey = privateKey.bytes();
        this.publicKey = privateKey.publicKey().bytes();
        this.responderInitialHash = Blake2s.hash(Handshake.INITIAL_HASH, publicKey);
        this.mac1Key = Blake2s.hash(Constants.LABEL_MAC1, publicKey);
        this.cookieKey = Blake2s.hash(Constants.LABEL_COOKIE, publicKey);
    }

    byte[] privateKey() {
        return privateKey;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public Key publicKeyAsKey() {
        return Key.of(publicKey);
    }

    /** Zeroes the private key (after the identity has been replaced). */
    public void destroy() {
        io.jwg.crypto.Bytes.wipe(privateKey);
    }

    @Override
    public String toString() {
        return "LocalIdentity(" + java.util.Base64.getEncoder().encodeToString(publicKey) + ")";
    }
}
