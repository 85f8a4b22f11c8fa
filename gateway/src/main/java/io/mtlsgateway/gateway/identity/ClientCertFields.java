package io.mtlsgateway.gateway.identity;

import java.util.List;

/**
 * The RFC 9440 fields: {@code Client-Cert} is the leaf DER as a Structured Field byte sequence
 * ({@code :base64:}, RFC 8941 §3.3.5), {@code Client-Cert-Chain} a Structured Field list of byte
 * sequences for the other certificates the client sent, nearest to the leaf first, leaf excluded.
 */
final class ClientCertFields {
    private ClientCertFields() {}

    /** {@code :<base64 of the leaf DER>:}. */
    static String clientCert(PeerIdentity identity) {
        return byteSequence(identity.leafPem());
    }

    /** {@code :<base64>:, :<base64>:} for the certificates after the leaf, or empty when there are none. */
    static String clientCertChain(PeerIdentity identity) {
        List<String> chain = identity.chainPem();
        if (chain.size() < 2) {
            return "";
        }
        StringBuilder out = new StringBuilder(chain.size() * 1200);
        for (int i = 1; i < chain.size(); i++) {
            if (i > 1) {
                out.append(", ");
            }
            out.append(byteSequence(chain.get(i)));
        }
        return out.toString();
    }

    private static String byteSequence(String pem) {
        // A PEM body is exactly the standard, padded base64 of the DER that RFC 8941 asks for.
        return ':' + HeaderValueEncoding.pemBody(pem) + ':';
    }
}
