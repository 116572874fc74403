package io.jwg.device;

import io.jwg.net.Datagram;
import io.jwg.noise.Keypair;

/** A pipeline slot: a pooled datagram buffer and what the stages learn about the packet in it. */
final class Packet {
    static final int DROP = 0;
    static final int SEAL = 1;
    static final int OPEN = 2;
    static final int WRITE = 3;
    static final int KEEPALIVE = 4;

    final Datagram datagram;
    int status;
    Peer peer;
    Keypair keypair;
    long counter;
    /** Plaintext length (outbound before sealing; inbound after opening, trimmed to the IP length). */
    int plainLength;

    Packet(int bufferSize) {
        datagram = new Datagram(bufferSize);
    }

    void reset() {
        status = DROP;
        peer = null;
        keypair = null;
    }
}
