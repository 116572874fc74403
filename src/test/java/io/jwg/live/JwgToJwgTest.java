package io.jwg.live;

import io.jwg.live.TunnelPair.Impl;

/** jwg client A <-> jwg server B. */
class JwgToJwgTest extends TunnelCase {
    JwgToJwgTest() {
        super(Impl.JWG, Impl.JWG);
    }
}
