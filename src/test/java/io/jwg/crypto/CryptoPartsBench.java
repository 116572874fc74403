package io.jwg.crypto;

import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pieces of our ChaCha20-Poly1305, for whoever tunes them (lives here because Poly1305 is
 * package-private; the user-level comparisons are in io.jwg.bench): the JDK ChaCha20 keystream
 * (init + one-time key block + data) and our Poly1305 against Bouncy Castle's, over the padded AEAD
 * input. scripts/jmh CryptoPartsBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CryptoPartsBench {
    @Param({"64", "1420"})
    public int size;
    byte[] key = new byte[32], in, out, block0 = new byte[64], zeros = new byte[64];
    Cipher stream;
    SecretKeySpec spec;
    long counter;

    @Setup
    public void setup() throws Exception {
        in = new byte[size];
        out = new byte[size + 16];
        for (int i = 0; i < 32; i++) key[i] = (byte) (i * 7 + 1);
        stream = Cipher.getInstance("ChaCha20");
        spec = new SecretKeySpec(key, "ChaCha20");
    }

    /** The keystream part of our seal: JDK ChaCha20 init at block 0, 64 bytes for the MAC key, data. */
    @Benchmark
    public byte[] jdkChaCha20Stream() throws Exception {
        stream.init(Cipher.DECRYPT_MODE, spec, new ChaCha20ParameterSpec(ChaCha20Poly1305.nonce(counter++), 0));
        stream.update(zeros, 0, 64, block0, 0);
        stream.doFinal(in, 0, size, out, 0);
        return out;
    }

    /** The MAC part of our seal. */
    @Benchmark
    public byte[] ourPoly1305() {
        Poly1305 p = new Poly1305();
        p.init(key, 0);
        p.updatePadded(in, 0, size);
        p.updateLengths(0, size);
        p.finish(out, 0);
        return out;
    }

    @Benchmark
    public byte[] bcPoly1305() {
        org.bouncycastle.crypto.macs.Poly1305 p = new org.bouncycastle.crypto.macs.Poly1305();
        p.init(new org.bouncycastle.crypto.params.KeyParameter(key));
        p.update(in, 0, size);
        p.update(zeros, 0, 16); // the AEAD's length block
        p.doFinal(out, 0);
        return out;
    }
}
