package io.mtlsgateway.gateway.verify;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Date;
import javax.security.auth.x500.X500Principal;

/**
 * A leaf accepted by {@link FastPath}, as the rest of the gateway reads it on every handshake: the fields the CRL
 * index, the verdict cache and the logs ask for (issuer, serial, validity, the DER) come from {@link LeafFields},
 * so that asking does not make the JDK parse the certificate after all. Every other question goes to the
 * certificate the peer sent, which parses itself when first asked, as before. The answers are the JDK's: the
 * issuer is the principal of a byte-identical name, the rest are the same values read from the same strict DER.
 */
final class ParsedLeaf extends DelegatingCertificate {
    private final LeafFields fields;
    private final X500Principal issuer;
    /** Made on first use (log messages, a CRL's "revoked" detail): racy but safe, every thread makes an equal one. */
    private volatile X500Principal subject;

    ParsedLeaf(X509Certificate cert, LeafFields fields, X500Principal issuer) {
        super(cert);
        this.fields = fields;
        this.issuer = issuer;
    }

    @Override
    public byte[] getEncoded() {
        return fields.der.clone();
    }

    @Override
    public X500Principal getIssuerX500Principal() {
        return issuer;
    }

    @Override
    public X500Principal getSubjectX500Principal() {
        X500Principal value = subject;
        if (value == null) {
            value = new X500Principal(fields.subject);
            subject = value;
        }
        return value;
    }

    @Override
    public BigInteger getSerialNumber() {
        return fields.serial;
    }

    @Override
    public Date getNotBefore() {
        return Date.from(fields.notBefore);
    }

    @Override
    public Date getNotAfter() {
        return Date.from(fields.notAfter);
    }

    @Override
    public int getVersion() {
        return 3;
    }
}
