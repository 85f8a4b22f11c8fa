package io.mtlsgateway.gateway.verify;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chains that passed path validation and policy, keyed by SHA-256 over the DER of what the client
 * sent, so a repeat client skips the signature checks (about a millisecond) and pays a hash
 * (microseconds). Holds no revocation state: CRL and OCSP are checked on every handshake. Lives
 * with one verifier, whose trust anchors are fixed, so new trust means a new, empty cache.
 */
final class VerdictCache {
    /** An accepted path (with its identity) and the window in which all of its certificates are valid. */
    record Entry(Verdict.Accepted accepted, Instant notBefore, Instant notAfter) {
        static Entry of(Verdict.Accepted accepted) {
            Instant notBefore = Instant.MIN;
            Instant notAfter = Instant.MAX;
            for (X509Certificate cert : accepted.path()) {
                Instant from = cert.getNotBefore().toInstant();
                Instant until = cert.getNotAfter().toInstant();
                notBefore = from.isAfter(notBefore) ? from : notBefore;
                notAfter = until.isBefore(notAfter) ? until : notAfter;
            }
            return new Entry(accepted, notBefore, notAfter);
        }

        boolean validAt(Instant at) {
            return !at.isBefore(notBefore) && !at.isAfter(notAfter);
        }
    }

    private final int capacity;
    private final Map<ByteBuffer, Entry> entries;

    VerdictCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Entry> eldest) {
                return size() > VerdictCache.this.capacity;
            }
        };
    }

    /**
     * One digest per thread: the key is computed on every handshake and every resumption, on the event loop for
     * the latter, and looking SHA-256 up by name each time was a visible part of a resumption's re-check.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    });

    /** The cache key of a presented chain. */
    static ByteBuffer key(List<X509Certificate> presented) throws CertificateEncodingException {
        MessageDigest sha256 = SHA256.get();
        sha256.reset();
        byte[] length = new byte[4];
        for (X509Certificate cert : presented) {
            byte[] der = cert.getEncoded();
            // Length-prefixed, so two different splits of the same bytes never collide.
            ByteBuffer.wrap(length).putInt(der.length);
            sha256.update(length);
            sha256.update(der);
        }
        return ByteBuffer.wrap(sha256.digest());
    }

    /** The entry, only if every certificate of its path is valid at {@code at}; expiry is re-checked here. */
    Entry get(ByteBuffer key, Instant at) {
        if (capacity == 0) {
            return null;
        }
        Entry entry;
        synchronized (entries) {
            entry = entries.get(key);
        }
        return entry != null && entry.validAt(at) ? entry : null;
    }

    void put(ByteBuffer key, Entry entry) {
        if (capacity == 0) {
            return;
        }
        synchronized (entries) {
            entries.put(key, entry);
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
