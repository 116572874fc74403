package io.jwg.noise;

import io.jwg.crypto.Key;
import io.jwg.crypto.Bytes;

/**
 * Runs the handshake and the transport crypto on throw-away keys until the JIT has compiled them,
 * so that the first real handshake and packets do not run interpreted. A cold handshake costs
 * ~70 ms per side (class loading and interpreted X25519/BLAKE2s), a compiled one well under 1 ms:
 * without this the first packet through a new tunnel waits ~100 ms for the handshake.
 */
public final class Warmup {
    /** Handshakes after which X25519 and BLAKE2s run compiled (C1 within the first; more only delay the first real one). */
    public static final int HANDSHAKES = 8;
    /** Bound on the handshake phase, for a slow or busy machine. */
    public static final long HANDSHAKE_MILLIS = 400;

    private Warmup() {}

    /** Runs up to {@code count} complete handshakes between two throw-away identities, for at most about {@code millis}. */
    public static int handshakes(int count, long millis) {
        LocalIdentity a = new LocalIdentity(Key.generatePrivate());
        LocalIdentity b = new LocalIdentity(Key.generatePrivate());
        byte[] aPublic = a.publicKey();
        CookieChecker bCookies = new CookieChecker(b, Clock.SYSTEM);
        long deadline = System.nanoTime() + millis * 1_000_000L;
        byte[] keepalive = new byte[Constants.TRANSPORT_MIN_SIZE];
        int done = 0;
        try {
            while (done < count && System.nanoTime() - deadline < 0) {
                // new tunnels each time: a tunnel sends at most one initiation per REKEY_TIMEOUT
                IndexTable responderIndices = new IndexTable();
                Tunnel initiator = new Tunnel(a, b.publicKeyAsKey(), null, 0, new IndexTable(), Clock.SYSTEM);
                Tunnel responder = new Tunnel(b, a.publicKeyAsKey(), null, 0, responderIndices, Clock.SYSTEM);
                byte[] init = initiator.initiateHandshake();
                if (init == null || !bCookies.checkMac1(init, 0, init.length)) throw new IllegalStateException("warm-up initiation failed");
                Responder.Result r = Responder.consumeInitiation(b, k -> Bytes.constantTimeEquals(k, aPublic) ? responder : null, init, 0);
                if (r == null || !initiator.consumeResponse(r.response(), 0)) throw new IllegalStateException("warm-up handshake failed");
                // the keepalive that confirms the session to the responder
                Keypair sending = initiator.sendingKeypair();
                int len = sending.seal(sending.nextCounter(), keepalive, 0, 0);
                Keypair receiving = responderIndices.lookup(sending.remoteIndex()).keypair();
                if (receiving.open(keepalive, 0, len) != 0) throw new IllegalStateException("warm-up keepalive failed");
                responder.packetReceived(receiving, false);
                initiator.close();
                responder.close();
                done++;
            }
        } finally {
            a.destroy();
            b.destroy();
        }
        return done;
    }

    /** Seals and opens packets of typical sizes for about the given time; returns packets processed. */
    public static long run(long millis) {
        byte[] k1 = Key.generatePreshared().bytes();
        byte[] k2 = Key.generatePreshared().bytes();
        Keypair a = new Keypair(k1, k2, true, 1, 2, System.nanoTime());
        Keypair b = new Keypair(k2, k1, false, 2, 1, System.nanoTime());
        byte[] buf = new byte[1500];
        int[] sizes = {1424, 96, 48, 0};
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long n = 0;
        try {
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 64; i++) {
                    int size = sizes[(int) (n++ & 3)];
                    int len = a.seal(a.nextCounter(), buf, 0, size);
                    if (b.open(buf, 0, len) != size) throw new IllegalStateException("warm-up round trip failed");
                }
            }
        } finally {
            a.destroy();
            b.destroy();
        }
        return n;
    }
}
