package io.jwg.bench;

import io.jwg.crypto.X25519;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One X25519 Diffie-Hellman: the JDK's KeyAgreement("X25519") (with key objects built once, and
 * with the raw 32-byte keys WireGuard actually has converted every time) against Bouncy Castle's
 * raw rfc7748.X25519, plus public-key derivation. "our" is libsodium's when it is installed
 * ({@code -jvmArgsAppend -Djwg.x25519=bc} for Bouncy Castle). scripts/jmh X25519Bench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class X25519Bench {
    byte[] priv, peerPub, out = new byte[32];
    PrivateKey jdkPriv;
    PublicKey jdkPub;
    KeyAgreement ka;
    KeyFactory kf;

    @Setup
    public void setup() throws Exception {
        priv = X25519.generatePrivateKey();
        peerPub = X25519.publicKey(X25519.generatePrivateKey());
        kf = KeyFactory.getInstance("X25519");
        jdkPriv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, priv));
        jdkPub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, littleEndian(peerPub)));
        ka = KeyAgreement.getInstance("X25519");
    }

    static BigInteger littleEndian(byte[] b) {
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) be[i] = b[b.length - 1 - i];
        be[0] &= 0x7f;
        return new BigInteger(1, be);
    }

    @Benchmark
    public byte[] ourSharedSecret() throws Exception {
        return X25519.sharedSecret(priv, peerPub);
    }

    @Benchmark
    public byte[] bcRawScalarMult() {
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(priv, 0, peerPub, 0, out, 0);
        return out;
    }

    @Benchmark
    public byte[] jdkKeyAgreementPrebuiltKeys() throws Exception {
        ka.init(jdkPriv);
        ka.doPhase(jdkPub, true);
        return ka.generateSecret();
    }

    @Benchmark
    public byte[] jdkKeyAgreementFromRawBytes() throws Exception {
        PrivateKey p = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, priv));
        PublicKey q = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, littleEndian(peerPub)));
        ka.init(p);
        ka.doPhase(q, true);
        return ka.generateSecret();
    }

    @Benchmark
    public byte[] ourPublicKey() {
        return X25519.publicKey(priv);
    }

    /** Bouncy Castle's fixed-base multiplication (an Ed25519 comb), against libsodium's in ourPublicKey. */
    @Benchmark
    public byte[] bcGeneratePublicKey() {
        org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(priv, 0, out, 0);
        return out;
    }
}
