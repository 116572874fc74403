package io.jwg.noise;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.ChaCha20Poly1305;
import io.jwg.crypto.Kdf;
import io.jwg.crypto.Key;
import io.jwg.crypto.X25519;
import java.util.HashMap;
import java.util.Map;

/** Exploration: where the responder's CPU per handshake goes. */
public class ResponderCostMain {
    interface Op { void run() throws Exception; }

    static double time(String name, int n, Op op) throws Exception {
        for (int i = 0; i < n; i++) op.run();
        long t0 = cpu();
        for (int i = 0; i < n; i++) op.run();
        double us = (cpu() - t0) / 1e3 / n;
        System.out.printf("%-28s %8.2f us%n", name, us);
        return us;
    }

    static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    public static void main(String[] args) throws Exception {
        int peers = 1000, rounds = Integer.parseInt(args.length > 0 ? args[0] : "8");
        Key serverKey = Key.generatePrivate();
        LocalIdentity server = new LocalIdentity(serverKey);
        FakeClock clock = new FakeClock();
        IndexTable indices = new IndexTable();
        Map<Key, Tunnel> byKey = new HashMap<>();
        InitiatorHandshake.Peer[] ps = new InitiatorHandshake.Peer[peers];
        for (int i = 0; i < peers; i++) {
            Key k = Key.generatePrivate();
            ps[i] = new InitiatorHandshake.Peer(k, serverKey.publicKey(), null);
            Tunnel t = new Tunnel(server, k.publicKey(), null, 0, indices, clock);
            byKey.put(k.publicKey(), t);
        }
        System.out.println("x25519: " + X25519.implementation());
        PeerDirectory dir = pub -> byKey.get(Key.of(pub));
        byte[] priv = X25519.generatePrivateKey(), pub = X25519.publicKey(X25519.generatePrivateKey());
        byte[] k32 = new byte[32], h32 = new byte[32];
        time("x25519 sharedSecret", 3000, () -> X25519.sharedSecret(priv, pub));
        time("x25519 publicKey", 3000, () -> X25519.publicKey(priv));
        time("x25519 generatePrivateKey", 20000, X25519::generatePrivateKey);
        time("blake2s hash(32,32)", 50000, () -> Blake2s.hash(h32, k32));
        time("blake2s hmac", 50000, () -> Blake2s.hmac(k32, k32));
        time("kdf1", 50000, () -> Kdf.kdf1(k32, k32));
        time("kdf2", 50000, () -> Kdf.kdf2(k32, k32));
        time("kdf3", 50000, () -> Kdf.kdf3(k32, k32));
        byte[] pt = new byte[32];
        byte[] sealed = ChaCha20Poly1305.seal(k32, 0, pt, h32);
        time("aead seal 32", 50000, () -> ChaCha20Poly1305.seal(k32, 0, pt, h32));
        time("aead open 48", 50000, () -> ChaCha20Poly1305.open(k32, 0, sealed, h32));
        time("aead seal 0", 50000, () -> ChaCha20Poly1305.seal(k32, 0, new byte[0], h32));
        time("indices alloc+release", 50000, () -> {
            int ix = indices.allocate(null);
            indices.release(ix);
        });

        byte[][] msgs = new byte[peers * rounds][];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < peers; i++) {
                msgs[r * peers + i] = InitiatorHandshake.create(ps[i], r * peers + i, clock.wall + (long) r * 50_000_000L).initiation();
            }
        }
        int[] next = {0};
        int half = peers * rounds / 2;
        // first half warms up, second half measured
        for (int i = 0; i < half; i++) {
            if (i % peers == 0) clock.nanos += 100_000_000L;
            if (Responder.consumeInitiation(server, dir, msgs[i], 0) == null) throw new IllegalStateException("dropped " + i);
        }
        long t0 = cpu();
        for (int i = half; i < msgs.length; i++) {
            if (i % peers == 0) clock.nanos += 100_000_000L;
            if (Responder.consumeInitiation(server, dir, msgs[i], 0) == null) throw new IllegalStateException("dropped " + i);
        }
        System.out.printf("%-28s %8.2f us%n", "Responder.consumeInitiation", (cpu() - t0) / 1e3 / (msgs.length - half));
    }
}
