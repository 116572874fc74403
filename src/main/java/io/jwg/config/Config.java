package io.jwg.config;

import io.jwg.crypto.Key;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A whole wg-quick config file: one {@code [Interface]} and any number of {@code [Peer]}s, with
 * distinct public keys. Immutable.
 *
 * <p>{@link #parse(String, String)} accepts what wg-quick accepts and reports every problem as a
 * {@link ConfigException} {@code SOURCE:LINE: REASON}.
 * {@link #toWgQuickText()} writes it back; {@link #toWgText()} gives what {@code wg-quick strip}
 * would, the part that {@code wg setconf} reads.
 */
public final class Config {
    private final InterfaceConfig interfaceConfig;
    private final List<PeerConfig> peers;

    private Config(InterfaceConfig interfaceConfig, List<PeerConfig> peers) {
        this.interfaceConfig = interfaceConfig;
        this.peers = peers;
    }

    /**
     * A config of an interface and its peers.
     *
     * @throws IllegalArgumentException if two peers have the same public key
     */
    public static Config of(InterfaceConfig interfaceConfig, List<PeerConfig> peers) {
        Objects.requireNonNull(interfaceConfig, "interfaceConfig");
        List<PeerConfig> copy = List.copyOf(peers);
        Set<Key> seen = new HashSet<>();
        for (PeerConfig p : copy) {
            if (!seen.add(p.publicKey())) {
                throw new IllegalArgumentException("two peers have the public key " + p.publicKey().toBase64());
            }
        }
        return new Config(interfaceConfig, copy);
    }

    /**
     * Reads a config file (UTF-8). Errors name the file as {@code path.toString()}.
     *
     * @throws IOException if the file cannot be read
     * @throws ConfigException if its content is not a valid config
     */
    public static Config parse(Path path) throws IOException, ConfigException {
        byte[] bytes = Files.readAllBytes(path);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new AssertionError(e); // cannot happen with REPLACE
        }
        return parse(text, path.toString());
    }

    /**
     * Parses config text; {@code sourceName} starts every error message (usually the file's path).
     *
     * <p>The text is read the way wg-quick (and wg, for the keys it passes on) reads it:
     * <ul>
     *   <li>Everything from the first {@code #} on a line is a comment; blank lines are skipped. Hook
     *       commands (PreUp, PostUp, PreDown, PostDown) are the exception, as in wg-quick: their value
     *       is the whole rest of the line after the first {@code =}, any {@code #} included (bash
     *       treats it as a comment when the hook runs). {@code %i} is kept for the caller to expand.
     *   <li>Section headers and keys are case-insensitive; whitespace around keys and values (and
     *       inside a header, {@code [ Peer ]}) is ignored. The values of the keys wg reads (PrivateKey,
     *       ListenPort, FwMark, PublicKey, PresharedKey, AllowedIPs, Endpoint, PersistentKeepalive)
     *       lose all whitespace, as wg removes it. CRLF line ends and a UTF-8 BOM are fine.
     *   <li>Address, DNS and AllowedIPs are comma-separated lists and may repeat; repeats append, as
     *       do repeated hooks. A repeated single-valued key replaces the earlier value, as in wg.
     *   <li>Address and DNS entries are split on commas and whitespace, empty entries skipped
     *       (wg-quick's word splitting); an empty AllowedIPs entry is an error (as in wg).
     *   <li>A DNS entry of digits and dots, or with a colon, is a server; any other is a search domain.
     *   <li>jwg's own key {@code Gateway} (in [Interface]; wg-quick does not know it): {@code off}
     *       (or empty), {@code auto}, or an uplink interface name; see {@link Gateway}.
     *   <li>An empty MTU or Table value means unset (as in wg-quick); an empty hook is ignored; the
     *       keys wg reads must have a value.
     *   <li>FwMark: decimal, hex after a lowercase {@code 0x}, or {@code off}; 0 and off mean none.
     *       PersistentKeepalive: decimal or {@code off}; 0 and off mean none. (Both as wg.)
     * </ul>
     * Stricter than wg-quick, jwg rejects: a second [Interface] section, a missing [Interface]
     * section (reported at line 1) or PrivateKey (reported at its [Interface] line), a [Peer]
     * without PublicKey (reported at its [Peer] line), two peers with the same PublicKey (reported
     * at the second PublicKey), AllowedIPs with a leading {@code +}/{@code -} ({@code wg set}
     * syntax), port names instead of numbers, Endpoint port 0, and an MTU outside
     * {@value InterfaceConfig#MIN_MTU}-{@value InterfaceConfig#MAX_MTU} (or below
     * {@value InterfaceConfig#MIN_IPV6_MTU} with an IPv6 Address). Errors never quote key material.
     *
     * @throws ConfigException {@code SOURCE:LINE: REASON} for the first problem found
     */
    public static Config parse(String text, String sourceName) throws ConfigException {
        return new ConfigParser(sourceName).parse(text);
    }

    /** The {@code [Interface]} section ({@code interface} is a Java keyword). */
    public InterfaceConfig interfaceConfig() {
        return interfaceConfig;
    }

    /** The peers in file order. */
    public List<PeerConfig> peers() {
        return peers;
    }

    /** The peer with this public key, if any. */
    public Optional<PeerConfig> peer(Key publicKey) {
        return peers.stream().filter(p -> p.publicKey().equals(publicKey)).findFirst();
    }

    /** This config with another [Interface] section. */
    public Config withInterfaceConfig(InterfaceConfig interfaceConfig) {
        return of(interfaceConfig, peers);
    }

    /** This config with other peers (for example the running ones, for SaveConfig). */
    public Config withPeers(List<PeerConfig> peers) {
        return of(interfaceConfig, peers);
    }

    /**
     * The whole config as wg-quick text, in the order wg-quick's SaveConfig writes it: Address, DNS,
     * MTU, Table, (jwg's Gateway,) SaveConfig, PreUp, PostUp, PreDown, PostDown, ListenPort, FwMark, PrivateKey, then
     * each peer after a blank line. Contains the private key. Parses back to an equal Config.
     */
    public String toWgQuickText() {
        return text(true);
    }

    /**
     * Only what {@code wg setconf} understands, as {@code wg-quick strip} outputs it and laid out like
     * {@code wg showconf}: [Interface] with ListenPort, FwMark, PrivateKey, then the peers. Contains
     * the private key.
     */
    public String toWgText() {
        return text(false);
    }

    private String text(boolean full) {
        StringBuilder sb = new StringBuilder(256 + 160 * peers.size());
        interfaceConfig.appendTo(sb, full);
        for (PeerConfig p : peers) {
            sb.append('\n');
            p.appendTo(sb);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Config c && interfaceConfig.equals(c.interfaceConfig) && peers.equals(c.peers);
    }

    @Override
    public int hashCode() {
        return interfaceConfig.hashCode() * 31 + peers.hashCode();
    }

    /** A summary that never shows private or pre-shared keys. */
    @Override
    public String toString() {
        return "Config{" + interfaceConfig + ", peers=" + peers + "}";
    }

    /** Used by the parser to build a config whose peers it has already checked. */
    static Config ofChecked(InterfaceConfig interfaceConfig, List<PeerConfig> peers) {
        return new Config(interfaceConfig, List.copyOf(peers));
    }
}
