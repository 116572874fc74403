package io.jwg.live;

import io.jwg.live.TunnelPair.Impl;

/** jwg client A (initiates) <-> wireguard-go server B. */
class JwgToWireguardGoTest extends TunnelCase {
    JwgToWireguardGoTest() {
        super(Impl.JWG, Impl.WGGO);
    }
}
