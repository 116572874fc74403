package io.jwg.crypto;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * X25519 from the system's libsodium ({@code crypto_scalarmult_curve25519}), called through FFM.
 * libsodium's x86-64 assembly (sandy2x) does one Diffie-Hellman in about a third of the time of
 * Bouncy Castle's Java (docs/crypto.md), and a handshake responder does four of them, so with
 * libsodium installed a server answers about twice as many initiations per CPU second.
 *
 * <p>The calls are linked as critical with heap access: libsodium reads and writes the Java arrays
 * in place, so no key material is copied to native memory (and none is left there). They must
 * not block, which a scalar multiplication does not; GC waits for the ~40 us it takes.
 *
 * <p>{@link #load()} returns empty when the library is missing, cannot be initialised, or fails
 * the RFC 7748 known answers: {@link X25519} then stays on Bouncy Castle.
 */
@SuppressWarnings("restricted") // FFM downcalls into libsodium are the point of this class
final class SodiumX25519 {
    private static final String[] LIBRARY_NAMES = {"libsodium.so.23", "libsodium.so.26", "libsodium.so"};

    private final MethodHandle scalarMult;
    private final MethodHandle scalarMultBase;

    private SodiumX25519(MethodHandle scalarMult, MethodHandle scalarMultBase) {
        this.scalarMult = scalarMult;
        this.scalarMultBase = scalarMultBase;
    }

    /** libsodium's X25519 when it is installed, initialises, and computes the RFC 7748 vectors. */
    static Optional<SodiumX25519> load() {
        SymbolLookup lib = null;
        for (String name : LIBRARY_NAMES) {
            try {
                lib = SymbolLookup.libraryLookup(name, Arena.global());
                break;
            } catch (IllegalArgumentException | IllegalCallerException notThere) {
                // try the next name (IllegalCallerException: native access is disabled)
            }
        }
        if (lib == null) return Optional.empty();
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle init = linker.downcallHandle(lib.find("sodium_init").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
            Linker.Option inPlace = Linker.Option.critical(true);
            MethodHandle mult = linker.downcallHandle(lib.find("crypto_scalarmult_curve25519").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), inPlace);
            MethodHandle base = linker.downcallHandle(lib.find("crypto_scalarmult_curve25519_base").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), inPlace);
            if ((int) init.invokeExact() < 0) return Optional.empty(); // 0: initialised, 1: already was
            SodiumX25519 s = new SodiumX25519(mult, base);
            return s.passesKnownAnswers() ? Optional.of(s) : Optional.empty();
        } catch (Throwable unusable) {
            return Optional.empty();
        }
    }

    /**
     * out = X25519(privateKey, publicKey) (the scalar is clamped by libsodium on its own copy);
     * false when the result is all zeros (low-order point), out then holds nothing useful.
     */
    boolean scalarMult(byte[] privateKey, byte[] publicKey, byte[] out) {
        try {
            return (int) scalarMult.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(privateKey),
                    MemorySegment.ofArray(publicKey)) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException("libsodium crypto_scalarmult_curve25519 failed", t);
        }
    }

    /** out = X25519(privateKey, 9), the public key. */
    void scalarMultBase(byte[] privateKey, byte[] out) {
        int r;
        try {
            r = (int) scalarMultBase.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(privateKey));
        } catch (Throwable t) {
            throw new IllegalStateException("libsodium crypto_scalarmult_curve25519_base failed", t);
        }
        if (r != 0) throw new IllegalStateException("libsodium crypto_scalarmult_curve25519_base failed");
    }

    /** RFC 7748 section 5.2 (both vectors, the second with the top bit of u set) and 6.1 (public key). */
    private boolean passesKnownAnswers() {
        byte[] out = new byte[32];
        return scalarMult(hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                        hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), out)
                && Bytes.constantTimeEquals(out, hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"))
                && scalarMult(hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                        hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"), out)
                && Bytes.constantTimeEquals(out, hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"))
                && baseMatches("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
                        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", out)
                && !scalarMult(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), new byte[32], out);
    }

    private boolean baseMatches(String privateKey, String publicKey, byte[] out) {
        scalarMultBase(hex(privateKey), out);
        return Bytes.constantTimeEquals(out, hex(publicKey));
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
