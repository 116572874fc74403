package io.jwg.noise;

/** Finds the tunnel configured for a peer's static public key (used when an initiation arrives). */
@FunctionalInterface
public interface PeerDirectory {
    Tunnel byPublicKey(byte[] publicKey);
}
