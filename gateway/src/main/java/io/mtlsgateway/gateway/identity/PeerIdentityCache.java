package io.mtlsgateway.gateway.identity;

import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded, thread-safe LRU of {@link PeerIdentity} values, so that clients that reconnect (the
 * common case behind a pool) do not pay for SAN parsing and PEM encoding again.
 *
 * <p>The key is a SHA-256 over every certificate of the chain, not the leaf alone: an identity also
 * carries the chain the client sent ({@link PeerIdentity#chainPem()}), and the same leaf can arrive
 * with different intermediates. Hashing a chain is a few microseconds; the parse it saves is more.
 *
 * <p>The lock is held only for the map lookup and insert; identities are computed outside it, so two
 * threads may compute the same identity at once, which is harmless (the values are equal).
 */
public final class PeerIdentityCache {
    /** The default size: a large fleet of distinct clients; an entry is a few KB (mostly PEM). */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    private final Map<String, PeerIdentity> entries;

    /** A cache of {@value #DEFAULT_MAX_ENTRIES} entries. */
    public PeerIdentityCache() {
        this(DEFAULT_MAX_ENTRIES);
    }

    /** A cache holding at most {@code maxEntries} identities, evicting the least recently used. */
    public PeerIdentityCache(int maxEntries) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
        }
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, PeerIdentity> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /**
     * The identity of this chain (leaf first), from the cache or computed and remembered.
     *
     * @throws IllegalArgumentException as {@link PeerIdentity#of(List)} does
     */
    public PeerIdentity get(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain: empty (expected: leaf first)");
        }
        String key = key(chain);
        synchronized (entries) {
            PeerIdentity cached = entries.get(key);
            if (cached != null) {
                return cached;
            }
        }
        PeerIdentity computed = PeerIdentity.of(chain);
        synchronized (entries) {
            entries.put(key, computed);
        }
        return computed;
    }

    /** How many identities are cached now. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Forgets every identity (for instance when trust anchors change and memory should be returned). */
    public void clear() {
        synchronized (entries) {
            entries.clear();
        }
    }

    private static String key(List<X509Certificate> chain) {
        if (chain.size() == 1) {
            // The common case: the key is the leaf fingerprint itself.
            return HexFormat.of().formatHex(PeerIdentity.sha256(PeerIdentity.der(chain.get(0))));
        }
        // Length-prefix each DER so that no two different chains concatenate to the same bytes.
        int total = 0;
        byte[][] ders = new byte[chain.size()][];
        for (int i = 0; i < ders.length; i++) {
            ders[i] = PeerIdentity.der(chain.get(i));
            total += 4 + ders[i].length;
        }
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] der : ders) {
            int n = der.length;
            all[at++] = (byte) (n >>> 24);
            all[at++] = (byte) (n >>> 16);
            all[at++] = (byte) (n >>> 8);
            all[at++] = (byte) n;
            System.arraycopy(der, 0, all, at, n);
            at += n;
        }
        return "chain:" + HexFormat.of().formatHex(PeerIdentity.sha256(all));
    }
}
