package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.config.UpstreamTlsConfig;
import io.mtlsgateway.gateway.routing.AccessPolicy;
import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import io.mtlsgateway.gateway.tls.UpstreamTlsContext;
import io.mtlsgateway.gateway.tls.UpstreamTlsContextFactory;
import io.mtlsgateway.gateway.tls.UpstreamTlsMaterial;
import io.mtlsgateway.gateway.verify.ClientVerifier;
import io.mtlsgateway.gateway.verify.CrlIndex;
import io.mtlsgateway.gateway.verify.Purpose;
import io.mtlsgateway.gateway.verify.ServerVerifier;
import io.mtlsgateway.gateway.verify.UpstreamTrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * Builds the TLS of every upstream with a {@code tls} block, from the files of one config
 * snapshot: material, then the server-purpose verifier (with the upstream's pins, judged by the
 * same rules as routes' allow lists), then the client context. Off the event loops, at start and
 * on every reload.
 */
public final class UpstreamTlsLoader {
    private UpstreamTlsLoader() {}

    /**
     * One context per TLS upstream, by name. On failure nothing is left to release.
     *
     * @throws MaterialException listing every file problem of every upstream
     * @throws IOException when a CRL cannot be indexed or BoringSSL refuses the material
     */
    public static Map<String, UpstreamTlsContext> build(Map<String, UpstreamConfig> upstreams) throws IOException {
        Map<String, UpstreamTlsContext> built = new LinkedHashMap<>();
        try {
            List<String> problems = new ArrayList<>();
            for (UpstreamConfig upstream : upstreams.values()) {
                if (upstream.tls().isEmpty()) {
                    continue;
                }
                try {
                    built.put(upstream.name(), build(upstream));
                } catch (MaterialException e) {
                    e.problems().forEach(p -> problems.add("upstream " + upstream.name() + ": " + p));
                }
            }
            if (!problems.isEmpty()) {
                throw new UpstreamMaterialException(problems);
            }
            return built;
        } catch (IOException | RuntimeException | Error e) {
            built.values().forEach(UpstreamTlsContext::release);
            throw e;
        }
    }

    /** The TLS of one upstream (which must have a {@code tls} block). */
    public static UpstreamTlsContext build(UpstreamConfig upstream) throws IOException {
        UpstreamTlsConfig tls = upstream.tls().orElseThrow();
        UpstreamTlsMaterial material = UpstreamTlsMaterial.load(tls);
        ClientVerifier chains;
        try {
            chains = ClientVerifier.builder(material.cas()).purpose(Purpose.SERVER)
                    // The CRLs the material read, so the check and the verifier judge the same bytes.
                    .crls(material.crls().isEmpty() ? CrlIndex.empty()
                            : CrlIndex.of(material.crls(), material.cas(), tls.crl().toString()))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IOException(tls.ca() + ": " + e.getMessage(), e);
        }
        ServerVerifier verifier = tls.verify().isEmpty() ? ServerVerifier.checkingNames(chains)
                : ServerVerifier.pinned(chains, new ServerVerifier.Pins(AccessPolicy.of(tls.verify())::allows,
                        tls.verify().stream().map(UpstreamTlsLoader::show).collect(Collectors.joining(", "))));
        try {
            return new UpstreamTlsContext(upstream,
                    UpstreamTlsContextFactory.build(tls, material, new UpstreamTrustManager(verifier),
                            upstream.protocol()), material);
        } catch (SSLException e) {
            throw new IOException("upstream " + upstream.name() + ": BoringSSL refused the TLS material ("
                    + e.getMessage() + ")", e);
        }
    }

    private static String show(AllowRule pin) {
        return pin.kind().yamlName() + ": " + pin.value();
    }

    /** File problems of upstream TLS blocks, each naming its upstream and file. */
    public static final class UpstreamMaterialException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient List<String> problems;

        UpstreamMaterialException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
