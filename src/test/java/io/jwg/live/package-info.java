/**
 * Live acceptance tests of {@code jwg up} (need root; they skip themselves otherwise): real tunnels between
 * network namespaces joined by a veth, jwg against jwg and against wireguard-go in both roles
 * ({@link io.jwg.live.JwgToJwgTest}, {@link io.jwg.live.JwgToWireguardGoTest},
 * {@link io.jwg.live.WireguardGoToJwgTest}, all run by {@link io.jwg.live.TunnelCase} on one
 * {@link io.jwg.live.TunnelPair} per class), and the failures of {@code jwg up} ({@link io.jwg.live.UpErrorsTest}).
 *
 * <p>They run {@code scripts/jwg} of the project the tests run in (found from the working directory) and build
 * target/jwg.jar first if it is missing or stale. Run only these: {@code mvn test -Dtest='io.jwg.live.*Test'};
 * {@code -Dsurefire.argLine="--enable-native-access=ALL-UNNAMED -Djwg.live.keep=true"} keeps each pair's
 * directory (configs, logs, pcaps) for a look afterwards.
 */
package io.jwg.live;
