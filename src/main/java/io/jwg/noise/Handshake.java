package io.jwg.noise;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Bytes;
import io.jwg.crypto.ChaCha20Poly1305;
import io.jwg.crypto.Kdf;
import io.jwg.crypto.X25519;

/**
 * The Noise_IKpsk2 handshake state of one peer and the message computations of the whitepaper
 * (section 5.4), step by step. Not thread-safe: the owning {@link Tunnel} serialises access.
 */
final class Handshake {
    static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(Constants.CONSTRUCTION);
    static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, Constants.IDENTIFIER);
    private static final byte[] EMPTY = new byte[0];

    enum State { EMPTY, INITIATION_CREATED, INITIATION_CONSUMED }

    State state = State.EMPTY;
    /** When key logging is on: a copy of the last ephemeral private key generated (else null). */
    boolean keepEphemeralForLog;
    byte[] ephemeralForLog;
    byte[] chainKey;
    byte[] hash;
    byte[] localEphemeral;
    byte[] remoteEphemeral;
    int localIndex;
    int remoteIndex;
    boolean hasLocalIndex;
    /** The greatest TAI64N timestamp accepted from this peer, against replayed initiations. */
    byte[] lastTimestamp;
    long lastInitiationConsumedNanos;
    boolean consumedAny;

    static byte[] mixHash(byte[] h, byte[] data) {
        return Blake2s.hash(h, data);
    }

    /** Builds the initiation body (without MACs) and moves to INITIATION_CREATED. */
    byte[] createInitiation(LocalIdentity me, byte[] remoteStatic, byte[] staticStatic, int senderIndex, long wallNanos)
            throws X25519.WeakKeyException {
        clear();
        byte[] h = mixHash(INITIAL_HASH, remoteStatic);
        byte[] eph = X25519.generatePrivateKey();
        if (keepEphemeralForLog) ephemeralForLog = eph.clone();
        byte[] ephPub = X25519.publicKey(eph);
        byte[] c = Kdf.kdf1(INITIAL_CHAIN_KEY, ephPub);
        h = mixHash(h, ephPub);
        byte[] es = X25519.sharedSecret(eph, remoteStatic);
        byte[][] ck = Kdf.kdf2(c, es);
        Bytes.wipe(es);
        c = ck[0];
        byte[] encStatic = ChaCha20Poly1305.seal(ck[1], 0, me.publicKey(), h);
        Bytes.wipe(ck[1]);
        h = mixHash(h, encStatic);
        ck = Kdf.kdf2(c, staticStatic);
        c = ck[0];
        byte[] encTimestamp = ChaCha20Poly1305.seal(ck[1], 0, Tai64n.of(wallNanos), h);
        Bytes.wipe(ck[1]);
        h = mixHash(h, encTimestamp);

        byte[] msg = new byte[Constants.INITIATION_SIZE];
        Messages.putType(msg, 0, Constants.TYPE_INITIATION);
        Messages.putInt(msg, Messages.INIT_SENDER, senderIndex);
        System.arraycopy(ephPub, 0, msg, Messages.INIT_EPHEMERAL, 32);
        System.arraycopy(encStatic, 0, msg, Messages.INIT_STATIC, encStatic.length);
        System.arraycopy(encTimestamp, 0, msg, Messages.INIT_TIMESTAMP, encTimestamp.length);

        chainKey = c;
        hash = h;
        localEphemeral = eph;
        localIndex = senderIndex;
        hasLocalIndex = true;
        state = State.INITIATION_CREATED;
        return msg;
    }

    /** The first half of consuming an initiation, before we know which peer sent it. */
    record DecryptedInitiation(byte[] remoteStatic, byte[] chainKey, byte[] hash, byte[] remoteEphemeral,
                               byte[] encryptedTimestamp, int senderIndex) {}

    static DecryptedInitiation decryptInitiationStatic(LocalIdentity me, byte[] msg, int off) {
        byte[] ephI = Messages.slice(msg, off + Messages.INIT_EPHEMERAL, 32);
        byte[] h = mixHash(me.responderInitialHash, ephI);
        byte[] c = Kdf.kdf1(INITIAL_CHAIN_KEY, ephI);
        byte[] es;
        try {
            es = X25519.sharedSecret(me.privateKey(), ephI);
        } catch (X25519.WeakKeyException e) {
            return null;
        }
        byte[][] ck = Kdf.kdf2(c, es);
        Bytes.wipe(es);
        byte[] encStatic = Messages.slice(msg, off + Messages.INIT_STATIC, 48);
        byte[] remoteStatic = ChaCha20Poly1305.open(ck[1], 0, encStatic, h);
        Bytes.wipe(ck[1]);
        if (remoteStatic == null) return null;
        h = mixHash(h, encStatic);
        return new DecryptedInitiation(remoteStatic, ck[0], h, ephI,
                Messages.slice(msg, off + Messages.INIT_TIMESTAMP, 28), Messages.getInt(msg, off + Messages.INIT_SENDER));
    }

    /**
     * The second half, once the peer is known: decrypts the timestamp with the static-static secret,
     * rejects replays (timestamp not newer) and floods (too soon after the last one), and moves to
     * INITIATION_CONSUMED. Returns false to drop the message.
     */
    boolean consumeInitiation(DecryptedInitiation d, byte[] staticStatic, long now) {
        byte[][] ck = Kdf.kdf2(d.chainKey(), staticStatic);
        byte[] timestamp = ChaCha20Poly1305.open(ck[1], 0, d.encryptedTimestamp(), d.hash());
        Bytes.wipe(ck[1]);
        if (timestamp == null) return false;
        if (!Tai64n.after(timestamp, lastTimestamp)) return false;
        if (consumedAny && now - lastInitiationConsumedNanos < Constants.HANDSHAKE_INITIATION_RATE) return false;
        clear();
        chainKey = ck[0];
        hash = mixHash(d.hash(), d.encryptedTimestamp());
        remoteEphemeral = d.remoteEphemeral();
        remoteIndex = d.senderIndex();
        lastTimestamp = timestamp;
        lastInitiationConsumedNanos = now;
        consumedAny = true;
        state = State.INITIATION_CONSUMED;
        return true;
    }

    /** Transport keys from a finished handshake: {sending, receiving}. */
    record Derived(byte[] msg, byte[] sendKey, byte[] receiveKey) {}

    /** Builds the response body (without MACs) and the responder's transport keys. */
    Derived createResponse(byte[] remoteStatic, byte[] psk, int senderIndex) throws X25519.WeakKeyException {
        if (state != State.INITIATION_CONSUMED) throw new IllegalStateException("no initiation consumed");
        byte[] eph = X25519.generatePrivateKey();
        if (keepEphemeralForLog) ephemeralForLog = eph.clone();
        byte[] ephPub = X25519.publicKey(eph);
        byte[] h = mixHash(hash, ephPub);
        byte[] c = Kdf.kdf1(chainKey, ephPub);
        byte[] ee = X25519.sharedSecret(eph, remoteEphemeral);
        c = Kdf.kdf1(c, ee);
        byte[] se = X25519.sharedSecret(eph, remoteStatic);
        c = Kdf.kdf1(c, se);
        Bytes.wipe(ee);
        Bytes.wipe(se);
        Bytes.wipe(eph);
        byte[][] ctk = Kdf.kdf3(c, psk);
        c = ctk[0];
        h = mixHash(h, ctk[1]);
        byte[] encEmpty = ChaCha20Poly1305.seal(ctk[2], 0, EMPTY, h);
        Bytes.wipe(ctk[2]);

        byte[] msg = new byte[Constants.RESPONSE_SIZE];
        Messages.putType(msg, 0, Constants.TYPE_RESPONSE);
        Messages.putInt(msg, Messages.RESP_SENDER, senderIndex);
        Messages.putInt(msg, Messages.RESP_RECEIVER, remoteIndex);
        System.arraycopy(ephPub, 0, msg, Messages.RESP_EPHEMERAL, 32);
        System.arraycopy(encEmpty, 0, msg, Messages.RESP_EMPTY, encEmpty.length);

        byte[][] keys = Kdf.kdf2(c, EMPTY);
        Bytes.wipe(c);
        localIndex = senderIndex;
        clearKeepingIndices();
        return new Derived(msg, keys[1], keys[0]);
    }

    /** Consumes a response to our initiation; returns the initiator's transport keys or null. */
    Derived consumeResponse(LocalIdentity me, byte[] msg, int off, byte[] psk) {
        if (state != State.INITIATION_CREATED) return null;
        byte[] ephR = Messages.slice(msg, off + Messages.RESP_EPHEMERAL, 32);
        byte[] h = mixHash(hash, ephR);
        byte[] c = Kdf.kdf1(chainKey, ephR);
        byte[] ee, se;
        try {
            ee = X25519.sharedSecret(localEphemeral, ephR);
            se = X25519.sharedSecret(me.privateKey(), ephR);
        } catch (X25519.WeakKeyException e) {
            return null;
        }
        c = Kdf.kdf1(c, ee);
        c = Kdf.kdf1(c, se);
        Bytes.wipe(ee);
        Bytes.wipe(se);
        byte[][] ctk = Kdf.kdf3(c, psk);
        c = ctk[0];
        h = mixHash(h, ctk[1]);
        byte[] encEmpty = Messages.slice(msg, off + Messages.RESP_EMPTY, 16);
        byte[] empty = ChaCha20Poly1305.open(ctk[2], 0, encEmpty, h);
        Bytes.wipe(ctk[2]);
        if (empty == null) return null;
        byte[][] keys = Kdf.kdf2(c, EMPTY);
        Bytes.wipe(c);
        remoteIndex = Messages.getInt(msg, off + Messages.RESP_SENDER);
        clearKeepingIndices();
        return new Derived(null, keys[0], keys[1]);
    }

    private void clearKeepingIndices() {
        Bytes.wipe(chainKey);
        Bytes.wipe(hash);
        Bytes.wipe(localEphemeral);
        chainKey = hash = localEphemeral = remoteEphemeral = null;
        state = State.EMPTY;
    }

    /** Forgets the handshake in progress (not the replay/flood memory). */
    void clear() {
        clearKeepingIndices();
        hasLocalIndex = false;
    }
}
