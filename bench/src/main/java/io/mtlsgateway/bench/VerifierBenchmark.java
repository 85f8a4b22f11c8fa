package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.verify.ClientVerifier;
import io.mtlsgateway.gateway.verify.Verdict;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Client-chain verification cost (ECDSA P-256 leaf + intermediate to a root): a new client (cache
 * miss: path building, PKIX with BouncyCastle signatures, policy) versus a repeat client (cache
 * hit: SHA-256 of the chain plus the revocation look-ups).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VerifierBenchmark {
    private ClientVerifier cached;
    private ClientVerifier uncached;
    private List<X509Certificate> chain;

    @Setup
    public void setUp() throws Exception {
        IssuedCertificate root = new CertificateBuilder().subject("CN=bench root").ca(-1).selfSigned();
        IssuedCertificate intermediate = new CertificateBuilder().subject("CN=bench intermediate").ca(0)
                .signedBy(root);
        IssuedCertificate leaf = new CertificateBuilder().subject("CN=bench client").forClient()
                .uri("spiffe://bench.example/client").signedBy(intermediate);
        chain = leaf.chainWithoutRoot();
        cached = ClientVerifier.builder(List.of(root.certificate())).build();
        uncached = ClientVerifier.builder(List.of(root.certificate())).cacheSize(0).build();
        if (!(cached.verify(chain) instanceof Verdict.Accepted) || !(uncached.verify(chain) instanceof Verdict.Accepted)) {
            throw new IllegalStateException("benchmark chain is not accepted");
        }
    }

    @Benchmark
    public Verdict verifyCacheMiss() {
        return uncached.verify(chain);
    }

    @Benchmark
    public Verdict verifyCacheHit() {
        return cached.verify(chain);
    }
}
