package io.jwg.bench;

import io.jwg.crypto.Key;
import io.jwg.noise.Clock;
import io.jwg.noise.IndexTable;
import io.jwg.noise.Keypair;
import io.jwg.noise.LocalIdentity;
import io.jwg.noise.Responder;
import io.jwg.noise.Tunnel;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A whole transport data message through {@link Keypair}, as the device's crypto workers run it:
 * counter assignment, header, ChaCha20-Poly1305 in place ({@code seal}); and the receiving side's
 * replay pre-check, authentication, decryption in place and replay-window update ({@code open}).
 * The keypairs come from a real handshake between two tunnels. Sizes are padded plaintext lengths:
 * 64 (a small packet) and 1424 (a full packet at MTU 1420, padded to 16). An open needs a message
 * with a fresh counter, so it is measured as {@code sealThenOpen} (open ~ sealThenOpen - seal).
 * Rejections: {@code openForged} (a bad tag: Poly1305 over the message, nothing decrypted) and
 * {@code openReplayed} (an authentic message seen before: refused by the window's pre-check, before
 * any crypto; it includes a copy of the message, in case a change lets open decrypt it in place).
 * scripts/jmh KeypairBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeypairBench {
    @Param({"64", "1424"})
    public int size;

    Keypair sender, receiver;
    byte[] buf;
    byte[] replayed, replayedCopy, forged;

    @Setup
    public void setup() {
        Key aPriv = Key.generatePrivate(), bPriv = Key.generatePrivate(), psk = Key.generatePreshared();
        LocalIdentity aId = new LocalIdentity(aPriv), bId = new LocalIdentity(bPriv);
        IndexTable aIdx = new IndexTable(), bIdx = new IndexTable();
        Tunnel aToB = new Tunnel(aId, bPriv.publicKey(), psk, 0, aIdx, Clock.SYSTEM);
        Tunnel bToA = new Tunnel(bId, aPriv.publicKey(), psk, 0, bIdx, Clock.SYSTEM);
        byte[] init = aToB.initiateHandshake();
        Responder.Result r = Responder.consumeInitiation(bId, pub -> Arrays.equals(pub, aPriv.publicKey().bytes()) ? bToA : null, init, 0);
        if (r == null || !aToB.consumeResponse(r.response(), 0)) throw new IllegalStateException("handshake failed");
        sender = aToB.currentKeypair();
        receiver = bIdx.lookup(sender.remoteIndex()).keypair();

        buf = new byte[16 + size + 16];
        new SplittableRandom(1).nextBytes(buf);
        int len = sender.seal(sender.nextCounter(), buf, 0, size);
        replayed = Arrays.copyOf(buf, len);
        if (receiver.open(buf, 0, len) != size) throw new IllegalStateException("round trip failed");
        replayedCopy = new byte[len];
        if (openReplayed() != Keypair.REPLAYED) throw new IllegalStateException("replay accepted");
        forged = replayed.clone();
        forged[len - 1] ^= 1;
        for (int i = 0; i < 8; i++) forged[8 + i] = (byte) (i == 5 ? 1 : 0); // counter 2^40: ahead of the window
        if (openForged() != Keypair.FORGED || openForged() != Keypair.FORGED) throw new IllegalStateException("forgery accepted");
    }

    @Benchmark
    public int seal() {
        return sender.seal(sender.nextCounter(), buf, 0, size);
    }

    @Benchmark
    public int sealThenOpen() {
        int len = sender.seal(sender.nextCounter(), buf, 0, size);
        return receiver.open(buf, 0, len);
    }

    @Benchmark
    public int openReplayed() {
        System.arraycopy(replayed, 0, replayedCopy, 0, replayed.length);
        return receiver.open(replayedCopy, 0, replayedCopy.length);
    }

    @Benchmark
    public int openForged() {
        return receiver.open(forged, 0, forged.length);
    }
}
