package io.mtlsgateway.bench;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.server.ListenerTls;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The server side the gateway builds for one mutual-TLS listener ({@link ListenerTls#build}), from a TLS config
 * whose files are written here, read back by the gateway's own code and deleted again: what the handshake
 * benchmarks measure is what {@code run} would serve, not a context assembled for the benchmark.
 *
 * @param config the listener's TLS config (its files are gone once {@link #build} returns)
 * @param tls the verifier and server context built from it
 */
record BenchListener(TlsConfig config, ListenerTls tls) {

    /** @param verdictCacheEntries the verifier's verdict cache size (the one thing that may differ from {@code run}) */
    static BenchListener build(IssuedCertificate server, IssuedCertificate clientRoot, TlsProtocol protocol,
            boolean sessionTickets, int verdictCacheEntries) throws Exception {
        Path dir = Files.createTempDirectory("gateway-bench-listener");
        try {
            TlsConfig tls = new TlsConfig(dir.resolve("server.pem"), dir.resolve("server.key"),
                    ClientAuthMode.REQUIRE, dir.resolve("client-ca.pem"), List.of(), OcspMode.OFF,
                    TlsConfig.DEFAULT_VERIFY_DEPTH, List.of(protocol), sessionTickets);
            PemFiles.write(tls.certificate(), server.chainWithoutRoot().toArray());
            PemFiles.writePrivateKey(tls.privateKey(), server.privateKey());
            PemFiles.write(tls.clientCa(), clientRoot.certificate());
            return new BenchListener(tls, ListenerTls.build(tls, ListenerConfig.DEFAULT_ALPN, verdictCacheEntries));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    /** The protocol of a JSSE name, as the benchmarks' {@code protocol} parameter gives it. */
    static TlsProtocol protocol(String jsseName) {
        for (TlsProtocol candidate : TlsProtocol.values()) {
            if (candidate.jsseName().equals(jsseName)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("protocol: " + jsseName + " (expected: TLSv1.3 or TLSv1.2)");
    }
}
