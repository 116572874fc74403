package io.jwg.noise;

/**
 * Entry point for handshake initiations from any peer: decrypts the initiator's static key with our
 * identity, finds its tunnel and lets it answer. MAC1 (and MAC2 under load) are checked by the
 * caller with {@link CookieChecker} first.
 */
public final class Responder {
    private Responder() {}

    /** The tunnel and the response to send, or null when the initiation must be dropped silently. */
    public record Result(Tunnel tunnel, byte[] response) {}

    public static Result consumeInitiation(LocalIdentity me, PeerDirectory peers, byte[] msg, int off) {
        Handshake.DecryptedInitiation d = Handshake.decryptInitiationStatic(me, msg, off);
        if (d == null) return null;
        Tunnel t = peers.byPublicKey(d.remoteStatic());
        if (t == null) return null;
        byte[] response = t.consumeInitiationAndRespond(d);
        return response == null ? null : new Result(t, response);
    }
}
