/**
 * The wg-quick configuration format: {@link io.jwg.config.Config} (one
 * {@link io.jwg.config.InterfaceConfig} and its {@link io.jwg.config.PeerConfig}s) parsed from and
 * written back to text, with the value types it is made of ({@link io.jwg.config.IpPrefix},
 * {@link io.jwg.config.Endpoint}, {@link io.jwg.config.RouteTable}), interface names
 * ({@link io.jwg.config.InterfaceName}) and file handling ({@link io.jwg.config.ConfigFiles}).
 *
 * <p>Everything here is immutable and validated when built; parse errors are
 * {@link io.jwg.config.ConfigException}s of the form {@code FILE:LINE: REASON}. Nothing here
 * resolves host names except {@link io.jwg.config.Endpoint#resolve()}.
 */
package io.jwg.config;
