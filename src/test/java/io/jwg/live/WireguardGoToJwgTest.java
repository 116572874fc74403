package io.jwg.live;

import io.jwg.live.TunnelPair.Impl;

/** wireguard-go client A (initiates) <-> jwg server B. */
class WireguardGoToJwgTest extends TunnelCase {
    WireguardGoToJwgTest() {
        super(Impl.WGGO, Impl.JWG);
    }
}
