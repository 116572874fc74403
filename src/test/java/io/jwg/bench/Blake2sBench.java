package io.jwg.bench;

import io.jwg.crypto.Blake2s;
import io.jwg.crypto.Kdf;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The handshake's BLAKE2s uses: HASH(32 || 32) (mixHash), HMAC (inside every KDF), KDF2, and the
 * 16-byte keyed MAC over a 116-byte initiation (mac1). "our*" go through io.jwg.crypto (Bouncy
 * Castle inside), "bc*" use Blake2sDigest directly; an own BLAKE2s was measured against these and
 * not kept (docs/crypto.md). scripts/jmh Blake2sBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Blake2sBench {
    byte[] a = new byte[32], b = new byte[32], key = new byte[32], msg = new byte[116], mac = new byte[16];
    byte[] out = new byte[32];

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(5);
        r.nextBytes(a);
        r.nextBytes(b);
        r.nextBytes(key);
        r.nextBytes(msg);
    }

    @Benchmark
    public byte[] ourHash32x2() {
        return Blake2s.hash(a, b);
    }

    /** Bouncy Castle's digest used directly, with a fresh digest object and a reused output array. */
    @Benchmark
    public byte[] bcHash32x2() {
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(a, 0, 32);
        d.update(b, 0, 32);
        d.doFinal(out, 0);
        return out;
    }

    @Benchmark
    public byte[] ourHmac32() {
        return Blake2s.hmac(key, a);
    }

    /** HMAC written out over Bouncy Castle digests, without the key-length handling and wiping. */
    @Benchmark
    public byte[] bcHmac32() {
        byte[] pad = new byte[64];
        for (int i = 0; i < 64; i++) pad[i] = (byte) ((i < 32 ? key[i] : 0) ^ 0x36);
        Blake2sDigest inner = new Blake2sDigest(256);
        inner.update(pad, 0, 64);
        inner.update(a, 0, 32);
        byte[] ih = new byte[32];
        inner.doFinal(ih, 0);
        for (int i = 0; i < 64; i++) pad[i] ^= 0x36 ^ 0x5c;
        Blake2sDigest outer = new Blake2sDigest(256);
        outer.update(pad, 0, 64);
        outer.update(ih, 0, 32);
        byte[] o = new byte[32];
        outer.doFinal(o, 0);
        return o;
    }

    @Benchmark
    public byte[] bcMac116() {
        Blake2sDigest d = new Blake2sDigest(key, 16, null, null);
        d.update(msg, 0, msg.length);
        d.doFinal(mac, 0);
        return mac;
    }

    @Benchmark
    public byte[][] ourKdf2() {
        return Kdf.kdf2(key, a);
    }

    @Benchmark
    public byte[] ourMac116() {
        Blake2s.mac(key, msg, 0, msg.length, mac, 0);
        return mac;
    }
}
