package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.verify.CrlIndex;
import io.mtlsgateway.gateway.verify.Verdict;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-handshake CRL check of one certificate, with a small and a 100,000-entry CRL: the index
 * makes both a hash look-up (plus the expiry comparison), so the two should cost the same.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CrlLookupBenchmark {
    @Param({"10", "100000"})
    public int revokedEntries;

    private CrlIndex index;
    private X509Certificate goodLeaf;
    private X509Certificate revokedLeaf;
    private X509Certificate issuer;
    private Instant now;

    @Setup
    public void setUp() throws Exception {
        IssuedCertificate ca = new CertificateBuilder().subject("CN=bench CRL CA").ca(-1).selfSigned();
        issuer = ca.certificate();
        goodLeaf = new CertificateBuilder().subject("CN=good").forClient().signedBy(ca).certificate();
        revokedLeaf = new CertificateBuilder().subject("CN=revoked").forClient().signedBy(ca).certificate();
        SecureRandom random = new SecureRandom();
        List<BigInteger> serials = new ArrayList<>(revokedEntries);
        serials.add(revokedLeaf.getSerialNumber());
        while (serials.size() < revokedEntries) {
            serials.add(new BigInteger(128, random));
        }
        now = Instant.now();
        index = CrlIndex.of(List.of(CrlIssuer.issue(ca, serials, now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(7)))), List.of(issuer), "bench");
        if (index.check(goodLeaf, issuer, now) != null || index.check(revokedLeaf, issuer, now) == null) {
            throw new IllegalStateException("CRL index gives wrong answers");
        }
    }

    @Benchmark
    public Verdict.Rejected checkNotRevoked() {
        return index.check(goodLeaf, issuer, now);
    }

    @Benchmark
    public Verdict.Rejected checkRevoked() {
        return index.check(revokedLeaf, issuer, now);
    }
}
