package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.config.UpstreamTlsConfig;
import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every file an upstream's {@code tls} block points at, read and checked together, the same way
 * as a listener's: the CA bundle (X.509 v3 CA certificates only), the gateway's client chain
 * (leaf first, in order) with its key (matching the leaf), and the CRLs (each signed by a CA of the
 * bundle when its issuer is there). {@code run}, every reload and {@code check} all load it here.
 *
 * @param clientChain empty without mutual TLS
 * @param clientKey null without mutual TLS
 */
public record UpstreamTlsMaterial(List<X509Certificate> cas, List<X509Certificate> clientChain, PrivateKey clientKey,
        List<X509CRL> crls) {

    public UpstreamTlsMaterial {
        cas = List.copyOf(cas);
        clientChain = List.copyOf(clientChain);
        crls = List.copyOf(crls);
    }

    /**
     * Reads and cross-checks every file of {@code tls}.
     *
     * @throws MaterialException listing every problem, each naming its file
     */
    public static UpstreamTlsMaterial load(UpstreamTlsConfig tls) throws MaterialException {
        List<String> problems = new ArrayList<>();
        List<X509Certificate> cas = ListenerMaterial.read(problems, () -> PemFiles.readCertificates(tls.ca()));
        if (cas != null) {
            for (X509Certificate ca : cas) {
                if (ca.getVersion() < 3 || ca.getBasicConstraints() < 0) {
                    problems.add(tls.ca() + ": not an X.509 v3 CA certificate: " + ListenerMaterial.subject(ca)
                            + " (an upstream CA bundle must hold only CA certificates)");
                }
            }
        }
        List<X509Certificate> chain = List.of();
        PrivateKey key = null;
        if (tls.mutual()) {
            Path certificate = tls.certificate().orElseThrow();
            Path keyFile = tls.privateKey().orElseThrow();
            chain = ListenerMaterial.read(problems, () -> PemFiles.readCertificates(certificate));
            key = ListenerMaterial.read(problems, () -> PemFiles.readPrivateKey(keyFile));
            if (chain != null) {
                ListenerMaterial.checkChainOrder(certificate, chain, problems);
            }
            if (chain != null && key != null && !KeyPairCheck.matches(key, chain.get(0))) {
                problems.add(keyFile + ": the private key does not belong to the first certificate of " + certificate);
            }
        }
        List<X509CRL> crls = new ArrayList<>();
        for (Path file : tls.crl()) {
            List<X509CRL> read = ListenerMaterial.read(problems, () -> PemFiles.readCrls(file));
            if (read != null) {
                for (X509CRL crl : read) {
                    ListenerMaterial.checkCrlIssuer(file, crl, cas == null ? List.of() : cas, problems);
                }
                crls.addAll(read);
            }
        }
        if (!problems.isEmpty()) {
            throw new MaterialException(problems);
        }
        return new UpstreamTlsMaterial(cas, chain, key, crls);
    }

    /** When the gateway's client certificate expires; empty without mutual TLS. */
    public Optional<Instant> clientNotAfter() {
        return clientChain.isEmpty() ? Optional.empty() : Optional.of(clientChain.get(0).getNotAfter().toInstant());
    }

    /** The earliest expiry among the CAs. */
    public Optional<Instant> earliestCaNotAfter() {
        return cas.stream().map(c -> c.getNotAfter().toInstant()).min(Comparator.naturalOrder());
    }

    /** The earliest nextUpdate among the CRLs. */
    public Optional<Instant> earliestCrlNextUpdate() {
        return crls.stream().filter(c -> c.getNextUpdate() != null).map(c -> c.getNextUpdate().toInstant())
                .min(Comparator.naturalOrder());
    }
}
