package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.TlsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Settings of a verifier; defaults: no CRL, OCSP off, verifyDepth 4, system clock. */
public final class ClientVerifierBuilder {
    // Package-private: the verifier's constructor reads the settings it is built with.
    final List<X509Certificate> trustAnchors;
    final List<X509Certificate> intermediates = new ArrayList<>();
    List<Path> crlFiles = List.of();
    CrlIndex crls;
    OcspMode ocspMode = OcspMode.OFF;
    Duration ocspTimeout = ClientVerifier.DEFAULT_OCSP_TIMEOUT;
    Duration ocspFailureTtl = Duration.ofSeconds(30);
    OcspFetcher ocspFetcher;
    int verifyDepth = TlsConfig.DEFAULT_VERIFY_DEPTH;
    Clock clock = Clock.systemUTC();
    int cacheSize = ClientVerifier.DEFAULT_CACHE_SIZE;
    Purpose purpose = Purpose.CLIENT;
    boolean requireEku;

    ClientVerifierBuilder(List<X509Certificate> trustAnchors) {
        this.trustAnchors = List.copyOf(trustAnchors);
    }

    /**
     * Intermediates available to every path as if the client had sent them, and known CRL
     * issuers ({@code verify --intermediates}).
     */
    public ClientVerifierBuilder intermediates(List<X509Certificate> certificates) {
        intermediates.addAll(certificates);
        return this;
    }

    /** CRL files, PEM or DER, loaded by {@link #build()}. */
    public ClientVerifierBuilder crlFiles(List<Path> files) {
        this.crlFiles = List.copyOf(files);
        return this;
    }

    /** A CRL index built elsewhere (replaces {@link #crlFiles}). */
    public ClientVerifierBuilder crls(CrlIndex index) {
        this.crls = Objects.requireNonNull(index, "index");
        return this;
    }

    public ClientVerifierBuilder ocsp(OcspMode mode) {
        this.ocspMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** How long to wait for an OCSP responder (default 2 s). */
    public ClientVerifierBuilder ocspTimeout(Duration timeout) {
        this.ocspTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** How to reach OCSP responders (default: HTTP POST with the JDK client). */
    public ClientVerifierBuilder ocspFetcher(OcspFetcher fetcher) {
        this.ocspFetcher = Objects.requireNonNull(fetcher, "fetcher");
        return this;
    }

    /** The most intermediates between leaf and anchor. */
    public ClientVerifierBuilder verifyDepth(int depth) {
        if (depth < 0) {
            throw new IllegalArgumentException("verifyDepth: " + depth + " (expected: >= 0)");
        }
        this.verifyDepth = depth;
        return this;
    }

    /** The source of validation time ({@code verify --at} uses a fixed clock). */
    public ClientVerifierBuilder clock(Clock value) {
        this.clock = Objects.requireNonNull(value, "value");
        return this;
    }

    /** Verdict cache size; 0 disables it (benchmarks of the cold path). */
    public ClientVerifierBuilder cacheSize(int entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("cacheSize: " + entries + " (expected: >= 0)");
        }
        this.cacheSize = entries;
        return this;
    }

    /**
     * Whom chains are judged for (default {@link Purpose#CLIENT}); {@link Purpose#SERVER}
     * checks an upstream's chain with serverAuth. The server name is checked apart, by
     * {@link ServerVerifier}.
     */
    public ClientVerifierBuilder purpose(Purpose value) {
        this.purpose = Objects.requireNonNull(value, "value");
        return this;
    }

    /** Whether a client leaf must carry an extended key usage (a server leaf always must). */
    public ClientVerifierBuilder requireEku(boolean value) {
        this.requireEku = value;
        return this;
    }

    /**
     * @throws GeneralSecurityException when a trust anchor is not a CA certificate
     * @throws IOException naming a CRL file that cannot be loaded
     */
    public ClientVerifier build() throws GeneralSecurityException, IOException {
        TrustAnchors anchors = TrustAnchors.of(trustAnchors);
        if (crls == null) {
            List<X509Certificate> known = new ArrayList<>(trustAnchors);
            known.addAll(intermediates);
            crls = crlFiles.isEmpty() ? CrlIndex.empty() : CrlIndex.load(crlFiles, known);
        }
        return new ClientVerifier(this, anchors);
    }
}
