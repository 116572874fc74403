/**
 * The WireGuard configuration protocol ("UAPI") on {@code /var/run/wireguard/IFNAME.sock}, so that the
 * stock {@code wg} and {@code wg-quick} tools drive jwg exactly as they drive wireguard-go.
 *
 * <ul>
 *   <li>{@link io.jwg.uapi.UapiBackend}: what the protocol needs from a device — a
 *       {@link io.jwg.uapi.DeviceSnapshot} for {@code get=1} and {@code apply} of a parsed
 *       {@link io.jwg.uapi.SetRequest} for {@code set=1}. {@link io.jwg.uapi.DeviceBackend} is the one
 *       over an {@link io.jwg.device.Device}.
 *   <li>{@link io.jwg.uapi.UapiProtocol}: the text, both ways, as pure functions.
 *   <li>{@link io.jwg.uapi.UapiServer}: serves a backend on the socket (one virtual thread per connection).
 *   <li>{@link io.jwg.uapi.UapiClient}: talks to any userspace interface's socket (jwg's or wireguard-go's),
 *       as {@code jwg show} and {@code jwg showconf} do.
 * </ul>
 *
 * <p>Errors are {@code errno=-N} replies with wireguard-go's values ({@link io.jwg.uapi.Errno}): EPROTO for a
 * line without {@code =}, EINVAL for an unknown key or a bad value, EADDRINUSE when the listen port or fwmark
 * cannot be applied, EIO for an over-long line, ENOANO for a failure of the device itself.
 */
package io.jwg.uapi;
