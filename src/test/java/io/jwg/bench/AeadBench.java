package io.jwg.bench;

import io.jwg.crypto.ChaCha20Poly1305;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ChaCha20-Poly1305 seal/open of one WireGuard-sized packet (64 bytes: a small packet; 1420: a full
 * one at the default MTU): our class (JDK ChaCha20 keystream + own Poly1305), the JDK's combined
 * "ChaCha20-Poly1305" provider used directly with byte[] and with direct ByteBuffers, and Bouncy
 * Castle's engine; plus the cost of the per-packet Cipher.init alone. Every seal uses a fresh counter
 * (both the JDK and BC refuse to encrypt twice with one nonce).
 *
 * <p>scripts/jmh AeadBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AeadBench {
    @Param({"64", "1420"})
    public int size;

    byte[] keyBytes = new byte[32];
    SecretKey ourKey;
    SecretKeySpec jdkKey;
    byte[] plain, sealed, out;
    long counter = 1;
    static final long OPEN_COUNTER = 0;

    Cipher jdk, stream;
    byte[] reusedNonce = new byte[12];
    ByteBuffer directIn, directSealed, directOut;

    org.bouncycastle.crypto.modes.ChaCha20Poly1305 bc = new org.bouncycastle.crypto.modes.ChaCha20Poly1305();
    KeyParameter bcKey;

    @Setup
    public void setup() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        r.nextBytes(keyBytes);
        ourKey = ChaCha20Poly1305.key(keyBytes);
        jdkKey = new SecretKeySpec(keyBytes, "ChaCha20");
        bcKey = new KeyParameter(keyBytes);
        plain = new byte[size];
        r.nextBytes(plain);
        sealed = new byte[size + 16];
        out = new byte[size + 16];
        jdk = Cipher.getInstance("ChaCha20-Poly1305");
        stream = Cipher.getInstance("ChaCha20");
        jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(nonce(OPEN_COUNTER)));
        jdk.doFinal(plain, 0, size, sealed, 0);
        directIn = ByteBuffer.allocateDirect(size);
        directIn.put(plain).flip();
        directSealed = ByteBuffer.allocateDirect(size + 16);
        directSealed.put(sealed).flip();
        directOut = ByteBuffer.allocateDirect(size + 16);
    }

    static byte[] nonce(long counter) {
        byte[] n = new byte[12];
        for (int i = 0; i < 8; i++) n[4 + i] = (byte) (counter >>> (8 * i));
        return n;
    }

    // ---- (a) our class: byte[] in, byte[] out

    @Benchmark
    public int ourSeal() {
        return ChaCha20Poly1305.seal(ourKey, counter++, null, plain, 0, size, out, 0);
    }

    @Benchmark
    public int ourOpen() {
        return ChaCha20Poly1305.open(ourKey, OPEN_COUNTER, null, sealed, 0, size + 16, out, 0);
    }

    /** Our ByteBuffer methods on direct buffers (they copy through a heap array). */
    @Benchmark
    public int ourDirectSeal() {
        directIn.clear();
        directOut.clear();
        return ChaCha20Poly1305.seal(ourKey, counter++, directIn, directOut);
    }

    @Benchmark
    public int ourDirectOpen() {
        directSealed.clear();
        directOut.clear();
        return ChaCha20Poly1305.open(ourKey, OPEN_COUNTER, directSealed, directOut);
    }

    // ---- the JDK provider used directly (what our class did before), byte[]

    @Benchmark
    public int jceArraySeal() throws Exception {
        jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(nonce(counter++)));
        return jdk.doFinal(plain, 0, size, out, 0);
    }

    @Benchmark
    public int jceArrayOpen() throws Exception {
        jdk.init(Cipher.DECRYPT_MODE, jdkKey, new IvParameterSpec(nonce(OPEN_COUNTER)));
        return jdk.doFinal(sealed, 0, size + 16, out, 0);
    }

    /** Just the per-packet init (nonce array + IvParameterSpec + Cipher.init), no data. */
    @Benchmark
    public Cipher jceInitOnly() throws Exception {
        jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(nonce(counter++)));
        return jdk;
    }

    /** The same init reusing one nonce array: IvParameterSpec is immutable, so only the array is saved. */
    @Benchmark
    public Cipher jceInitReusedNonce() throws Exception {
        long c = counter++;
        for (int i = 0; i < 8; i++) reusedNonce[4 + i] = (byte) (c >>> (8 * i));
        jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(reusedNonce));
        return jdk;
    }

    /** Init of the plain "ChaCha20" stream cipher, which our class uses (no Poly1305 set-up inside). */
    @Benchmark
    public Cipher jceStreamInitOnly() throws Exception {
        stream.init(Cipher.DECRYPT_MODE, jdkKey, new ChaCha20ParameterSpec(nonce(counter++), 0));
        return stream;
    }

    // ---- (b) the JDK provider with direct ByteBuffers

    @Benchmark
    public int jceDirectSeal() throws Exception {
        jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(nonce(counter++)));
        directIn.clear();
        directOut.clear();
        return jdk.doFinal(directIn, directOut);
    }

    @Benchmark
    public int jceDirectOpen() throws Exception {
        jdk.init(Cipher.DECRYPT_MODE, jdkKey, new IvParameterSpec(nonce(OPEN_COUNTER)));
        directSealed.clear();
        directOut.clear();
        return jdk.doFinal(directSealed, directOut);
    }

    // ---- (c) Bouncy Castle's engine (pure Java ChaCha7539Engine + Poly1305)

    @Benchmark
    public int bcSeal() throws Exception {
        bc.init(true, new ParametersWithIV(bcKey, nonce(counter++)));
        int n = bc.processBytes(plain, 0, size, out, 0);
        return n + bc.doFinal(out, n);
    }

    @Benchmark
    public int bcOpen() throws Exception {
        bc.init(false, new ParametersWithIV(bcKey, nonce(OPEN_COUNTER)));
        int n = bc.processBytes(sealed, 0, size + 16, out, 0);
        return n + bc.doFinal(out, n);
    }
}
