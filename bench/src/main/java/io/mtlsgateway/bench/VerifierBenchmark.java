package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.verify.ClientVerifier;
import io.mtlsgateway.gateway.verify.Verdict;
import io.netty.handler.ssl.util.LazyX509Certificate;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Client-chain verification cost (ECDSA P-256 leaf + intermediate to a root): a new client (cache
 * miss: path building, PKIX with BouncyCastle signatures, policy) versus a repeat client (cache
 * hit: SHA-256 of the chain plus the revocation look-ups).
 *
 * <p>{@link #verifyCacheMiss} hands the verifier the same certificate objects every time, and the JDK's
 * certificate objects remember a signature they already verified, so it measures a miss without the
 * signature checks. {@link #verifyCacheMissDistinctClients} is the miss the gateway pays: each call parses a
 * different client's leaf from DER, as Netty does for every handshake, cycling through more clients than
 * the JDK's parsed-certificate cache holds. {@link #recheckResumed} is what a resumed session of a known
 * client costs the verifier.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VerifierBenchmark {
    private ClientVerifier cached;
    private ClientVerifier uncached;
    private List<X509Certificate> chain;
    private IssuedCertificate issuer;
    private byte[] leafDer;
    private byte[] issuerDer;

    @Setup
    public void setUp() throws Exception {
        IssuedCertificate root = new CertificateBuilder().subject("CN=bench root").ca(-1).selfSigned();
        IssuedCertificate intermediate = new CertificateBuilder().subject("CN=bench intermediate").ca(0)
                .signedBy(root);
        IssuedCertificate leaf = new CertificateBuilder().subject("CN=bench client").forClient()
                .uri("spiffe://bench.example/client").signedBy(intermediate);
        chain = leaf.chainWithoutRoot();
        leafDer = leaf.certificate().getEncoded();
        issuerDer = intermediate.certificate().getEncoded();
        issuer = intermediate;
        cached = ClientVerifier.builder(List.of(root.certificate())).build();
        uncached = ClientVerifier.builder(List.of(root.certificate())).cacheSize(0).build();
        if (!(cached.verify(chain) instanceof Verdict.Accepted) || !(uncached.verify(chain) instanceof Verdict.Accepted)) {
            throw new IllegalStateException("benchmark chain is not accepted");
        }
    }

    /** 1,000 clients' DER under the benchmark's intermediate, used in turn; one per benchmark thread. */
    @State(Scope.Thread)
    public static class DistinctClients {
        static final int CLIENTS = 1000;
        byte[][] leaves;
        byte[] intermediate;
        CertificateFactory factory;
        int next;

        @Setup
        public void setUp(VerifierBenchmark benchmark) throws Exception {
            factory = CertificateFactory.getInstance("X.509");
            intermediate = benchmark.issuer.certificate().getEncoded();
            leaves = new byte[CLIENTS][];
            for (int i = 0; i < CLIENTS; i++) {
                leaves[i] = new CertificateBuilder().subject("CN=bench client " + i).forClient()
                        .uri("spiffe://bench.example/client/" + i).signedBy(benchmark.issuer).certificate().getEncoded();
            }
        }

        List<X509Certificate> nextChain() throws CertificateException {
            byte[] leaf = leaves[next];
            next = next + 1 == CLIENTS ? 0 : next + 1;
            return List.of(parse(leaf), parse(intermediate));
        }

        private X509Certificate parse(byte[] der) throws CertificateException {
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        }
    }

    @Benchmark
    public Verdict verifyCacheMiss() {
        return uncached.verify(chain);
    }

    /**
     * CPU time of {@link #verifyCacheMissDistinctClients}, verification only (each leaf is parsed before): on a
     * shared machine far steadier than its wall time. Divide {@link #cpuNanos} by {@link #calls}. Not final: JMH
     * subclasses it.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class VerifierCpuTime {
        public long cpuNanos;
        public long calls;

        @Setup(Level.Iteration)
        public void reset() {
            cpuNanos = 0;
            calls = 0;
        }
    }

    @Benchmark
    public Verdict verifyCacheMissDistinctClients(DistinctClients clients, VerifierCpuTime time)
            throws CertificateException {
        long start = InMemoryHandshake.threadCpuNanos();
        Verdict verdict = uncached.verify(clients.nextChain());
        time.cpuNanos += InMemoryHandshake.threadCpuNanos() - start;
        time.calls++;
        // Cheap, and a rejected chain would measure a different path.
        if (!(verdict instanceof Verdict.Accepted)) {
            throw new IllegalStateException("distinct client rejected: " + verdict);
        }
        return verdict;
    }

    @Benchmark
    public Verdict verifyCacheHit() {
        return cached.verify(chain);
    }

    /**
     * The re-check of a resumed session ({@code resumeClientTrusted}) of a client verified before: the chain
     * arrives as new lazily parsed certificates over the DER BoringSSL kept in the ticket, as Netty hands it over.
     */
    @Benchmark
    public Verdict recheckResumed() {
        Verdict verdict = cached.recheck(List.of(new LazyX509Certificate(leafDer), new LazyX509Certificate(issuerDer)));
        if (!(verdict instanceof Verdict.Accepted)) {
            throw new IllegalStateException("resumed client rejected: " + verdict);
        }
        return verdict;
    }
}
