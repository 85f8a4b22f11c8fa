package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostConfig;
import io.mtlsgateway.config.ListenerHosts;
import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.config.TlsProtocol;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Certificates for a listener with virtual hosts: one server certificate per host entry (all from
 * the {@link TestPki} server CA), and two client CAs: partners (the {@link TestPki} client CA) and ops.
 */
public final class HostsPki {
    public final TestPki pki;
    public final IssuedCertificate opsCa;
    public final Path opsCaFile;

    public HostsPki(TestPki pki) throws IOException {
        this.pki = pki;
        this.opsCa = new CertificateBuilder().subject("CN=ops CA,O=Test").ca(-1).selfSigned();
        this.opsCaFile = pki.dir.resolve("ops-ca.pem");
        PemFiles.write(opsCaFile, opsCa.certificate());
    }

    /** A client of the ops CA. */
    public IssuedCertificate opsClient(String commonName) {
        return new CertificateBuilder().subject("CN=" + commonName + ",O=Ops").forClient().signedBy(opsCa);
    }

    /** Writes a server certificate for {@code dnsName} (files named after it) and returns the entry's TLS. */
    public TlsConfig serverTls(String dnsName, ClientAuthMode clientAuth, Path clientCa) throws IOException {
        writeServer(dnsName, "");
        return new TlsConfig(pki.dir.resolve(dnsName + ".pem"), pki.dir.resolve(dnsName + ".key"), clientAuth,
                clientAuth == ClientAuthMode.NONE ? null : clientCa, List.of(), OcspMode.OFF,
                TlsConfig.DEFAULT_VERIFY_DEPTH, List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2), true);
    }

    /** (Re)writes the certificate and key files of {@code dnsName}, the subject's CN ending in {@code tag}. */
    public IssuedCertificate writeServer(String dnsName, String tag) throws IOException {
        IssuedCertificate server = new CertificateBuilder().subject("CN=" + dnsName + tag).forServer().dns(dnsName)
                .uri(gatewayUri(dnsName)).signedBy(pki.serverCa);
        // Key first: a reader never pairs a new certificate with the old key for long (reload re-checks anyway).
        PemFiles.writePrivateKey(pki.dir.resolve(dnsName + ".key"), server.privateKey());
        PemFiles.write(pki.dir.resolve(dnsName + ".pem"), server.chainWithoutRoot().toArray());
        return server;
    }

    /** The URI SAN of the server certificate of {@code dnsName}: XFCC's {@code By} on that entry. */
    public static String gatewayUri(String dnsName) {
        return "spiffe://bank.test/gateway/" + dnsName;
    }

    public HostConfig host(TlsConfig tls, String... names) {
        return new HostConfig(List.of(names), tls);
    }

    /**
     * A gateway with one listener whose one host entry, {@code name} (also the default entry),
     * requires a partner certificate, and one route of everything to {@code upstreamPort}.
     */
    public GatewayConfig oneHostGateway(String name, int upstreamPort) throws IOException {
        TlsConfig tls = serverTls(name, ClientAuthMode.REQUIRE, pki.clientCaFile);
        return GatewayFixture.withHosts(GatewayFixture.config(pki, tls,
                List.of(GatewayFixture.route("all", "/", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(5), upstreamPort))),
                new ListenerHosts(List.of(host(tls, name)), Optional.of(name)));
    }
}
