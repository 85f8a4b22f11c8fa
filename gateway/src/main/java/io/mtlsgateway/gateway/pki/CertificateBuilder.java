package io.mtlsgateway.gateway.pki;

import io.mtlsgateway.gateway.tls.BouncyCastle;
import java.math.BigInteger;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds X.509 certificates: dev CA roots and intermediates, server and client leaves, and, for
 * tests, deliberately broken ones (expired, wrong usage, weak key, unknown critical extension).
 * Defaults: ECDSA P-256, valid from an hour ago for 30 days, random 128-bit serial.
 */
public final class CertificateBuilder {
    /** Key usage bits, as in RFC 5280. */
    public static final int DIGITAL_SIGNATURE = KeyUsage.digitalSignature;
    public static final int KEY_ENCIPHERMENT = KeyUsage.keyEncipherment;
    public static final int KEY_CERT_SIGN = KeyUsage.keyCertSign;
    public static final int CRL_SIGN = KeyUsage.cRLSign;

    /** Extended key usages a certificate can carry. */
    public enum Purpose {
        CLIENT_AUTH(KeyPurposeId.id_kp_clientAuth),
        SERVER_AUTH(KeyPurposeId.id_kp_serverAuth),
        OCSP_SIGNING(KeyPurposeId.id_kp_OCSPSigning),
        ANY(KeyPurposeId.anyExtendedKeyUsage);

        private final KeyPurposeId id;

        Purpose(KeyPurposeId id) {
            this.id = id;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private String subject = "CN=mtls-gateway";
    /** A subject given in encoded form (any string types), instead of {@link #subject}. */
    private X500Principal subjectPrincipal;
    private KeyType keyType = KeyType.EC_P256;
    private KeyPair keyPair;
    private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
    private Instant notAfter = Instant.now().plus(Duration.ofDays(30));
    private BigInteger serial;
    private boolean ca;
    private int pathLength = -1;
    private Integer keyUsage;
    private final List<Purpose> purposes = new ArrayList<>();
    private final List<GeneralName> subjectAltNames = new ArrayList<>();
    private URI ocspResponder;
    private URI crlDistributionPoint;
    private String signatureAlgorithm;
    private String criticalExtensionOid;

    /** The subject distinguished name, e.g. {@code CN=payments,O=Bank}. */
    public CertificateBuilder subject(String distinguishedName) {
        this.subject = Objects.requireNonNull(distinguishedName, "distinguishedName");
        this.subjectPrincipal = null;
        return this;
    }

    /** The subject as an encoded name, for names a string cannot express (BMPString values, unknown types). */
    public CertificateBuilder subject(X500Principal name) {
        this.subjectPrincipal = Objects.requireNonNull(name, "name");
        this.subject = name.getName(X500Principal.RFC2253);
        return this;
    }

    /** The type of the key generated for this certificate (ignored when a key pair is given). */
    public CertificateBuilder keyType(KeyType type) {
        this.keyType = Objects.requireNonNull(type, "type");
        return this;
    }

    /** Certify this key pair instead of generating one. */
    public CertificateBuilder keyPair(KeyPair pair) {
        this.keyPair = Objects.requireNonNull(pair, "pair");
        return this;
    }

    /** The validity period. */
    public CertificateBuilder validity(Instant from, Instant until) {
        this.notBefore = Objects.requireNonNull(from, "from");
        this.notAfter = Objects.requireNonNull(until, "until");
        return this;
    }

    /** Valid from an hour ago for this many days. */
    public CertificateBuilder validForDays(int days) {
        return validity(Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(days)));
    }

    /** The serial number (random by default). */
    public CertificateBuilder serial(BigInteger value) {
        this.serial = Objects.requireNonNull(value, "value");
        return this;
    }

    /** A CA certificate (basicConstraints CA:true, keyCertSign and cRLSign); -1 means no path length limit. */
    public CertificateBuilder ca(int maxPathLength) {
        this.ca = true;
        this.pathLength = maxPathLength;
        return this;
    }

    /** Overrides the key usage bits (see the constants of this class). */
    public CertificateBuilder keyUsage(int bits) {
        this.keyUsage = bits;
        return this;
    }

    /** Adds extended key usages. */
    public CertificateBuilder purposes(Purpose... values) {
        purposes.addAll(List.of(values));
        return this;
    }

    /** A client certificate: EKU clientAuth. */
    public CertificateBuilder forClient() {
        return purposes(Purpose.CLIENT_AUTH);
    }

    /** A server certificate: EKU serverAuth. */
    public CertificateBuilder forServer() {
        return purposes(Purpose.SERVER_AUTH);
    }

    /** Adds DNS name SANs. */
    public CertificateBuilder dns(String... names) {
        for (String name : names) {
            subjectAltNames.add(new GeneralName(GeneralName.dNSName, name));
        }
        return this;
    }

    /** Adds IP address SANs. */
    public CertificateBuilder ip(String... addresses) {
        for (String address : addresses) {
            subjectAltNames.add(new GeneralName(GeneralName.iPAddress, address));
        }
        return this;
    }

    /** Adds URI SANs (a SPIFFE ID is one). */
    public CertificateBuilder uri(String... uris) {
        for (String uri : uris) {
            subjectAltNames.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        }
        return this;
    }

    /** Adds e-mail SANs. */
    public CertificateBuilder email(String... addresses) {
        for (String address : addresses) {
            subjectAltNames.add(new GeneralName(GeneralName.rfc822Name, address));
        }
        return this;
    }

    /** The OCSP responder named in Authority Information Access. */
    public CertificateBuilder ocspResponder(URI uri) {
        this.ocspResponder = Objects.requireNonNull(uri, "uri");
        return this;
    }

    /** The CRL distribution point. */
    public CertificateBuilder crlDistributionPoint(URI uri) {
        this.crlDistributionPoint = Objects.requireNonNull(uri, "uri");
        return this;
    }

    /** Overrides the signature algorithm of the issuer, e.g. {@code SHA1withRSA} to test rejection. */
    public CertificateBuilder signatureAlgorithm(String algorithm) {
        this.signatureAlgorithm = Objects.requireNonNull(algorithm, "algorithm");
        return this;
    }

    /** Adds a critical extension no verifier knows, to test that it is rejected. */
    public CertificateBuilder unknownCriticalExtension(String oid) {
        this.criticalExtensionOid = Objects.requireNonNull(oid, "oid");
        return this;
    }

    /** Signs the certificate with its own key. */
    public IssuedCertificate selfSigned() {
        KeyPair pair = keyPair();
        X509Certificate cert = sign(subjectPrincipal(), pair.getPublic(), pair.getPrivate(),
                pair.getPublic(), keyType.signatureAlgorithm());
        return new IssuedCertificate(cert, pair.getPrivate(), List.of());
    }

    /** Signs the certificate with the issuer's key. */
    public IssuedCertificate signedBy(IssuedCertificate issuer) {
        KeyPair pair = keyPair();
        X509Certificate issuerCert = issuer.certificate();
        X509Certificate cert = sign(issuerCert.getSubjectX500Principal(), issuerCert.getPublicKey(),
                issuer.privateKey(), pair.getPublic(), signatureAlgorithmFor(issuer.privateKey()));
        List<X509Certificate> issuers = new ArrayList<>();
        issuers.add(issuerCert);
        issuers.addAll(issuer.issuers());
        return new IssuedCertificate(cert, pair.getPrivate(), issuers);
    }

    private X500Principal subjectPrincipal() {
        return subjectPrincipal != null ? subjectPrincipal : new X500Principal(subject);
    }

    private KeyPair keyPair() {
        if (keyPair == null) {
            keyPair = keyType.generate();
        }
        return keyPair;
    }

    private static String signatureAlgorithmFor(PrivateKey key) {
        return key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    }

    private X509Certificate sign(
            X500Principal issuer, PublicKey issuerPublicKey, PrivateKey signingKey, PublicKey subjectKey,
            String defaultAlgorithm) {
        try {
            BigInteger serialNumber = serial != null ? serial : new BigInteger(128, RANDOM).setBit(127);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serialNumber,
                    Date.from(notBefore), Date.from(notAfter), subjectPrincipal(), subjectKey);
            addExtensions(builder, issuerPublicKey, subjectKey);
            String algorithm = signatureAlgorithm != null ? signatureAlgorithm : defaultAlgorithm;
            var signer = new JcaContentSignerBuilder(algorithm).setProvider(BouncyCastle.provider()).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot build certificate for " + subject, e);
        }
    }

    private void addExtensions(X509v3CertificateBuilder builder, PublicKey issuerKey, PublicKey subjectKey)
            throws CertIOException, GeneralSecurityException {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                utils.createAuthorityKeyIdentifier(issuerKey));
        builder.addExtension(Extension.basicConstraints, true, CertificateExtensions.basicConstraints(ca, pathLength));
        int usage = keyUsage != null ? keyUsage : CertificateExtensions.defaultKeyUsage(ca, subjectKey);
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        if (!purposes.isEmpty()) {
            KeyPurposeId[] ids = purposes.stream().map(p -> p.id).toArray(KeyPurposeId[]::new);
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(ids));
        }
        if (!subjectAltNames.isEmpty()) {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(subjectAltNames.toArray(GeneralName[]::new)));
        }
        if (ocspResponder != null) {
            builder.addExtension(Extension.authorityInfoAccess, false, CertificateExtensions.ocspResponder(ocspResponder));
        }
        if (crlDistributionPoint != null) {
            builder.addExtension(Extension.cRLDistributionPoints, false,
                    CertificateExtensions.crlDistributionPoint(crlDistributionPoint));
        }
        if (criticalExtensionOid != null) {
            builder.addExtension(new ASN1ObjectIdentifier(criticalExtensionOid), true, new DERUTF8String("test"));
        }
    }
}
