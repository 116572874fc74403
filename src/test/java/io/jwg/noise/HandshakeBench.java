package io.jwg.noise;

import io.jwg.crypto.Key;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a server spends on one handshake initiation, without sockets or threads: MAC1 is left out
 * (the reader thread checks it), everything after it is in — decrypting the initiator's static key
 * and timestamp, finding its tunnel, a fresh ephemeral key, the response and the session keys
 * (four X25519 operations, about twenty HMAC-BLAKE2s, three AEAD). Initiations from PEERS peers
 * with increasing timestamps are built before each invocation (not measured). Run with
 * {@code -Djwg.x25519=bc} (JMH: {@code -jvmArgsAppend -Djwg.x25519=bc}) for Bouncy Castle's X25519.
 * scripts/jmh HandshakeBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeBench {
    static final int PEERS = 100, BATCH = 500;

    private final FakeClock clock = new FakeClock();
    private LocalIdentity server;
    private PeerDirectory directory;
    private InitiatorHandshake.Peer[] initiators;
    private final byte[][] initiations = new byte[BATCH][];
    private long round;

    @Setup(Level.Trial)
    public void peers() {
        Key serverKey = Key.generatePrivate();
        server = new LocalIdentity(serverKey);
        IndexTable indices = new IndexTable();
        Map<Key, Tunnel> tunnels = new HashMap<>();
        initiators = new InitiatorHandshake.Peer[PEERS];
        for (int i = 0; i < PEERS; i++) {
            Key k = Key.generatePrivate();
            initiators[i] = new InitiatorHandshake.Peer(k, serverKey.publicKey(), null);
            tunnels.put(k.publicKey(), new Tunnel(server, k.publicKey(), null, 0, indices, clock));
        }
        directory = pub -> tunnels.get(Key.of(pub));
    }

    /** Each peer's next initiations: timestamps 50 ms apart, later than any it sent before. */
    @Setup(Level.Invocation)
    public void initiations() {
        for (int i = 0; i < BATCH; i++) {
            long wall = clock.wall + (++round) * 50_000_000L;
            initiations[i] = InitiatorHandshake.create(initiators[i % PEERS], i, wall).initiation();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int respond() {
        int answered = 0;
        for (byte[] msg : initiations) {
            clock.nanos += 25_000_000L; // keeps each peer beyond the initiation flood limit
            if (Responder.consumeInitiation(server, directory, msg, 0) != null) answered++;
        }
        if (answered != BATCH) throw new IllegalStateException(answered + " of " + BATCH + " initiations answered");
        return answered;
    }
}
