package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.ClientChains;
import io.mtlsgateway.gateway.testing.OcspResponder;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What open connections are told after a reload: only a definite no closes one. */
class ReloadRecheckTest {
    @TempDir
    Path dir;

    @Test
    void keepsAGoodClientUnderHardFailThoughTheReloadedVerifierHasNoOcspAnswerYet() throws Exception {
        ClientChains chains = new ClientChains(dir);
        try (OcspResponder responder = OcspResponder.start(chains.intermediate)) {
            IssuedCertificate client = ClientChains.leaf("hard-fail").ocspResponder(responder.uri())
                    .signedBy(chains.intermediate);
            responder.answer(client.certificate().getSerialNumber(), OcspResponder.Answer.GOOD);
            List<X509Certificate> sent = ClientChains.sent(client);
            ClientVerifier before = ClientVerifier.builder(List.of(chains.root.certificate()))
                    .ocsp(OcspMode.HARD_FAIL).build();
            assertInstanceOf(Verdict.Accepted.class, before.verify(sent));
            VerifierTrustManager reloaded = new VerifierTrustManager(ClientVerifier.builder(
                    List.of(chains.root.certificate())).ocsp(OcspMode.HARD_FAIL).build());
            assertTrue(reloaded.stillTrusts(sent), "an empty OCSP cache is not a reason to cut a client off");
        }
    }
}
