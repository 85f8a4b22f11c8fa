package io.mtlsgateway.bench;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmark's PKI as PEM files, so {@code openssl s_server}/{@code s_time} can be measured with
 * the same certificate shapes as {@link SslHandshakeBenchmark} (see {@code bench/openssl-reference.sh}).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.mtlsgateway.bench.ReferenceCertificates DIR KEY}
 * with KEY {@code ecp256} or {@code rsa2048}. Writes ca.pem, server.pem, server.key, client.pem, client.key.
 */
public final class ReferenceCertificates {
    private ReferenceCertificates() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ReferenceCertificates DIR ecp256|rsa2048");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        var keyType = SslHandshakeBenchmark.keyType(args[1]);
        IssuedCertificate ca = new CertificateBuilder().subject("CN=bench CA").keyType(keyType).ca(-1).selfSigned();
        IssuedCertificate server = new CertificateBuilder().subject("CN=server").keyType(keyType)
                .forServer().dns("localhost").ip("127.0.0.1").signedBy(ca);
        IssuedCertificate client = new CertificateBuilder().subject("CN=client").keyType(keyType)
                .forClient().signedBy(ca);
        PemFiles.write(dir.resolve("ca.pem"), ca.certificate());
        PemFiles.write(dir.resolve("server.pem"), server.certificate());
        PemFiles.writePrivateKey(dir.resolve("server.key"), server.privateKey());
        PemFiles.write(dir.resolve("client.pem"), client.certificate());
        PemFiles.writePrivateKey(dir.resolve("client.key"), client.privateKey());
    }
}
