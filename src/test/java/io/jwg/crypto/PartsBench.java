package io.jwg.crypto;

import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.*;

@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PartsBench {
    @Param({"64", "1420"})
    public int size;
    int[] k = new int[8];
    byte[] key = new byte[32], in, out, block0 = new byte[64], zeros = new byte[64];
    Cipher stream;
    SecretKeySpec spec;
    long counter;

    @Setup
    public void setup() throws Exception {
        in = new byte[size];
        out = new byte[size + 16];
        for (int i = 0; i < 8; i++) k[i] = i * 0x01010101;
        stream = Cipher.getInstance("ChaCha20");
        spec = new SecretKeySpec(key, "ChaCha20");
    }

    @Benchmark
    public byte[] ourChaCha() { if (true) return out;
        
        return out;
    }

    @Benchmark
    public byte[] ourPoly() {
        Poly1305 p = new Poly1305();
        p.init(key, 0);
        p.updatePadded(in, 0, size);
        p.updateLengths(0, size);
        p.finish(out, 0);
        return out;
    }

    @Benchmark
    public byte[] polyBc() {
        org.bouncycastle.crypto.macs.Poly1305 p = new org.bouncycastle.crypto.macs.Poly1305();
        p.init(new org.bouncycastle.crypto.params.KeyParameter(key));
        p.update(in, 0, size);
        p.doFinal(out, 0);
        return out;
    }

    @Benchmark
    public Cipher jdkStreamInit() throws Exception {
        stream.init(Cipher.DECRYPT_MODE, spec, new ChaCha20ParameterSpec(ChaCha20Poly1305.nonce(counter++), 0));
        return stream;
    }

    @Benchmark
    public byte[] jdkStreamAll() throws Exception {
        stream.init(Cipher.DECRYPT_MODE, spec, new ChaCha20ParameterSpec(ChaCha20Poly1305.nonce(counter++), 0));
        stream.update(zeros, 0, 64, block0, 0);
        stream.doFinal(in, 0, size, out, 0);
        return out;
    }
}
