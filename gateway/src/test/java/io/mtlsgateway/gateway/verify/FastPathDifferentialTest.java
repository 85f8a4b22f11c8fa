package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.pki.KeyType;
import io.mtlsgateway.gateway.testing.V1Certificates;
import io.netty.handler.ssl.util.LazyX509Certificate;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast path against the JDK path on many generated chains: it never accepts what the JDK path rejects, when it
 * accepts it gives the same path, anchor and identity, and it does accept the common valid shapes (so this test
 * fails if it is never taken).
 */
class FastPathDifferentialTest {
    private static final Instant NOW = Instant.now();
    private static final Random RANDOM = new Random(14);

    static IssuedCertificate root;
    static IssuedCertificate intermediate;
    static ClientVerifier verifier;

    private int fastAccepted;
    private int jdkAccepted;

    @BeforeAll
    static void pki() throws Exception {
        root = new CertificateBuilder().subject("CN=fast root CA,O=Test").ca(-1).selfSigned();
        intermediate = new CertificateBuilder().subject("CN=fast intermediate CA,O=Test").ca(0).signedBy(root);
        verifier = verifier(false);
    }

    private static ClientVerifier verifier(boolean requireEku, IssuedCertificate... anchors) throws Exception {
        List<X509Certificate> trust = new ArrayList<>(List.of(root.certificate()));
        for (IssuedCertificate anchor : anchors) {
            trust.add(anchor.certificate());
        }
        return ClientVerifier.builder(trust).clock(Clock.fixed(NOW, ZoneOffset.UTC)).requireEku(requireEku).build();
    }

    private static CertificateBuilder leaf(String name) {
        return new CertificateBuilder().subject("CN=" + name + ",O=Test").forClient();
    }

    /** Learns the shapes of the common chains through the JDK path, as the first client of each does. */
    private static void learn(ClientVerifier v, IssuedCertificate... templates) {
        for (IssuedCertificate template : templates) {
            assertInstanceOf(Verdict.Accepted.class, v.verify(template.chainWithoutRoot()), "template must pass");
        }
    }

    @Test
    void acceptsOnlyWhatTheJdkPathAcceptsWithTheSameIdentity() throws Exception {
        learn(verifier, leaf("template-256").uri("spiffe://test.example/t").signedBy(intermediate),
                leaf("template-384").keyType(KeyType.EC_P384).signedBy(intermediate),
                leaf("template-384-sig").signatureAlgorithm("SHA384withECDSA").signedBy(intermediate),
                leaf("template-direct").signedBy(root));
        for (int i = 0; i < 12; i++) {
            // Common shapes: each must take the fast path.
            mustBeFast(verifier, leaf("plain-" + i).signedBy(intermediate));
            mustBeFast(verifier, leaf("spiffe-" + i).uri("spiffe://test.example/ns/" + i).signedBy(intermediate));
            mustBeFast(verifier, leaf("sans-" + i).dns("svc" + i + ".example.com", "a-b.example").email("ops@example.com")
                    .ip("10.0.0." + i, "::1").uri("https://svc.example/x", "urn:uuid:1234").signedBy(intermediate));
            mustBeFast(verifier, leaf("no-eku-" + i).purposes().signedBy(intermediate));
            mustBeFast(verifier, leaf("both-eku-" + i).purposes(CertificateBuilder.Purpose.CLIENT_AUTH,
                    CertificateBuilder.Purpose.SERVER_AUTH, CertificateBuilder.Purpose.ANY).signedBy(intermediate));
            mustBeFast(verifier, leaf("p384-" + i).keyType(KeyType.EC_P384).signedBy(intermediate));
            mustBeFast(verifier, leaf("sha384-" + i).signatureAlgorithm("SHA384withECDSA").signedBy(intermediate));
            mustBeFast(verifier, alone(leaf("direct-" + i).signedBy(root)));
            mustBeFast(verifier, leaf("serial-" + i).serial(BigInteger.valueOf(i + 1)).signedBy(intermediate));
            mustBeFast(verifier, leaf("names-" + i).subject(variedName(i)).signedBy(intermediate));

            // Everything else: the fast path may decline, and must decline whatever the JDK path rejects.
            compare(verifier, leaf("expired-" + i).validity(NOW.minus(Duration.ofDays(9)), NOW.minusSeconds(1 + i))
                    .signedBy(intermediate));
            compare(verifier, leaf("future-" + i).validity(NOW.plusSeconds(1 + i), NOW.plus(Duration.ofDays(9)))
                    .signedBy(intermediate));
            compare(verifier, leaf("server-only-" + i).purposes(CertificateBuilder.Purpose.SERVER_AUTH)
                    .signedBy(intermediate));
            compare(verifier, leaf("any-only-" + i).purposes(CertificateBuilder.Purpose.ANY).signedBy(intermediate));
            compare(verifier, leaf("no-ds-" + i).keyUsage(CertificateBuilder.KEY_ENCIPHERMENT).signedBy(intermediate));
            compare(verifier, leaf("ca-" + i).ca(-1).signedBy(intermediate));
            compare(verifier, leaf("critical-" + i).unknownCriticalExtension("1.3.6.1.4.1.55555." + i)
                    .signedBy(intermediate));
            compare(verifier, leaf("rsa2048-" + i).keyType(KeyType.RSA_2048).signedBy(intermediate));
            compare(verifier, leaf("rsa1024-" + i).keyType(KeyType.RSA_1024).signedBy(intermediate));
            compare(verifier, leaf("sha1-" + i).signatureAlgorithm("SHA1withECDSA").signedBy(intermediate));
            compare(verifier, leaf("underscore-" + i).dns("under_score.example").signedBy(intermediate));
            compare(verifier, leaf("wildcard-" + i).dns("*.example.com").signedBy(intermediate));
            compare(verifier, leaf("sent-with-root-" + i).signedBy(intermediate), true);
            compare(verifier, V1Certificates.signedBy("CN=v1-" + i + ",O=Test", intermediate));
            compare(verifier, alone(leaf("no-intermediate-" + i).signedBy(intermediate)));
        }
        assertTrue(fastAccepted >= 12 * 10, "the fast path accepted only " + fastAccepted + " chains");
    }

    @Test
    void declinesWhatTheChainBuilderOrTheSignatureWouldRefuse() throws Exception {
        ClientVerifier v = verifier(false);
        learn(v, leaf("template").signedBy(intermediate));
        // The same name, another key: a CA the anchors do not know, and one they do (same-name different CA).
        IssuedCertificate otherRoot = new CertificateBuilder().subject("CN=fast root CA,O=Test").ca(-1).selfSigned();
        IssuedCertificate impostor = new CertificateBuilder().subject("CN=fast intermediate CA,O=Test").ca(0)
                .signedBy(otherRoot);
        IssuedCertificate twin = new CertificateBuilder().subject("CN=fast intermediate CA,O=Test").ca(0)
                .signedBy(root);
        for (int i = 0; i < 6; i++) {
            IssuedCertificate forged = leaf("forged-" + i).signedBy(impostor);
            compare(v, List.of(forged.certificate(), intermediate.certificate()));
            compare(v, forged.chainWithoutRoot());
            IssuedCertificate twinLeaf = leaf("twin-" + i).signedBy(twin);
            compare(v, List.of(twinLeaf.certificate(), intermediate.certificate()));
            compare(v, twinLeaf.chainWithoutRoot());
            // Self-issued under the intermediate's name (byte-equal, then a different case: the same name to the JDK).
            compare(v, new CertificateBuilder().subject("CN=fast intermediate CA,O=Test").forClient()
                    .signedBy(intermediate));
            compare(v, new CertificateBuilder().subject("cn=FAST intermediate ca,o=test").forClient()
                    .signedBy(intermediate));
            // Tampered DER: a flipped byte anywhere.
            byte[] der = leaf("flip-" + i).signedBy(intermediate).certificate().getEncoded();
            der[RANDOM.nextInt(der.length)] ^= (byte) (1 << RANDOM.nextInt(8));
            compare(v, List.of(new LazyX509Certificate(der), intermediate.certificate()));
        }
        // The intermediate's validity is checked on every fast-path chain, not only when the shape was learned.
        IssuedCertificate shortLived = new CertificateBuilder().subject("CN=short CA,O=Test").ca(0)
                .validity(NOW.minus(Duration.ofDays(1)), NOW.plusSeconds(60)).signedBy(root);
        learn(v, leaf("short-template").signedBy(shortLived));
        IssuedCertificate outlives = leaf("outlives").validity(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(9)))
                .signedBy(shortLived);
        assertNotNull(v.fastPath().validate(outlives.chainWithoutRoot(), NOW));
        Instant later = NOW.plusSeconds(61);
        assertNull(v.fastPath().validate(outlives.chainWithoutRoot(), later));
        assertInstanceOf(Verdict.Rejected.class, v.validateByJdk(outlives.chainWithoutRoot(), later));
    }

    @Test
    void learnsNothingFromChainsWhoseVerdictDependsOnTheLeaf() throws Exception {
        ClientVerifier v = verifier(false);
        IssuedCertificate constrained = nameConstrained("example.com");
        learn(v, leaf("inside").dns("a.example.com").signedBy(constrained));
        compare(v, leaf("outside").dns("a.example.org").signedBy(constrained));
        assertNull(v.fastPath().validate(leaf("inside-2").dns("b.example.com").signedBy(constrained).chainWithoutRoot(),
                NOW), "a name-constrained intermediate is never a known shape");
        // Two anchors of one name: which signed a direct leaf is for the chain builder and PKIX to find out.
        IssuedCertificate sameNameRoot = new CertificateBuilder().subject("CN=fast root CA,O=Test").ca(-1).selfSigned();
        ClientVerifier twoRoots = verifier(false, sameNameRoot);
        learn(twoRoots, alone(leaf("direct").signedBy(root)));
        assertNull(twoRoots.fastPath().validate(List.of(leaf("direct-2").signedBy(root).certificate()), NOW));
        compare(twoRoots, alone(leaf("direct-other").signedBy(sameNameRoot)));
        // Intermediates that are no CA, cannot sign certificates, or are too deep: rejected, so never learned.
        IssuedCertificate notCa = new CertificateBuilder().subject("CN=not a CA,O=Test").signedBy(root);
        IssuedCertificate noCertSign = new CertificateBuilder().subject("CN=no certsign,O=Test").ca(0)
                .keyUsage(CertificateBuilder.CRL_SIGN).signedBy(root);
        IssuedCertificate pathZero = new CertificateBuilder().subject("CN=path zero,O=Test").ca(0).signedBy(root);
        IssuedCertificate belowZero = new CertificateBuilder().subject("CN=below zero,O=Test").ca(0).signedBy(pathZero);
        for (IssuedCertificate issuer : List.of(notCa, noCertSign, belowZero)) {
            IssuedCertificate first = leaf("first").signedBy(issuer);
            assertInstanceOf(Verdict.Rejected.class, v.verify(first.chainWithoutRoot()));
            compare(v, leaf("second").signedBy(issuer));
        }
        // requireEku: a leaf without EKU is the JDK path's to refuse.
        ClientVerifier strict = verifier(true);
        learn(strict, leaf("template").signedBy(intermediate));
        compare(strict, leaf("no-eku").purposes().signedBy(intermediate));
        mustBeFast(strict, leaf("with-eku").signedBy(intermediate));
    }

    private void mustBeFast(ClientVerifier v, IssuedCertificate client) {
        assertNotNull(compare(v, client.chainWithoutRoot()), "the fast path declined " + client.certificate()
                .getSubjectX500Principal());
    }

    private Verdict.Accepted compare(ClientVerifier v, IssuedCertificate client) {
        return compare(v, client.chainWithoutRoot());
    }

    private Verdict.Accepted compare(ClientVerifier v, IssuedCertificate client, boolean withRoot) {
        List<X509Certificate> chain = new ArrayList<>(client.chainWithoutRoot());
        chain.add(root.certificate());
        return compare(v, chain);
    }

    /** Both paths on the chain, as the JDK certificates the tests make and as Netty's lazily parsed ones. */
    private Verdict.Accepted compare(ClientVerifier v, List<X509Certificate> chain) {
        Verdict.Accepted result = null;
        for (List<X509Certificate> presented : List.of(chain, lazy(chain))) {
            Verdict jdk;
            try {
                jdk = v.validateByJdk(presented, NOW);
            } catch (RuntimeException e) {
                // What verify() makes of it: Netty's certificates throw unchecked exceptions on bad DER.
                jdk = new Verdict.Rejected(HandshakeReason.MALFORMED, String.valueOf(e));
            }
            Verdict.Accepted fast = v.fastPath().validate(presented, NOW);
            if (fast != null) {
                Verdict.Accepted expected = assertInstanceOf(Verdict.Accepted.class, jdk,
                        "the fast path accepted what the JDK path rejects");
                assertEquals(expected.identity(), fast.identity());
                assertEquals(expected.anchor(), fast.anchor());
                assertEquals(expected.path(), fast.path());
                for (int i = 0; i < fast.path().size(); i++) {
                    X509Certificate mine = fast.path().get(i);
                    X509Certificate theirs = expected.path().get(i);
                    assertEquals(theirs.getIssuerX500Principal(), mine.getIssuerX500Principal());
                    assertEquals(theirs.getSubjectX500Principal(), mine.getSubjectX500Principal());
                    assertEquals(theirs.getSerialNumber(), mine.getSerialNumber());
                    assertEquals(theirs.getNotBefore(), mine.getNotBefore());
                    assertEquals(theirs.getNotAfter(), mine.getNotAfter());
                    assertEquals(theirs.getVersion(), mine.getVersion());
                }
                fastAccepted++;
                result = fast;
            }
            jdkAccepted += jdk instanceof Verdict.Accepted ? 1 : 0;
        }
        return result;
    }

    private static List<X509Certificate> lazy(List<X509Certificate> chain) {
        List<X509Certificate> copies = new ArrayList<>();
        for (X509Certificate cert : chain) {
            try {
                copies.add(new LazyX509Certificate(cert.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new AssertionError(e);
            }
        }
        return copies;
    }

    private static IssuedCertificate alone(IssuedCertificate cert) {
        return new IssuedCertificate(cert.certificate(), cert.privateKey(), List.of());
    }

    /** Names in the forms identity must print as the JDK path does: multi-valued, non-ASCII, escapes, string types. */
    private static X500Principal variedName(int i) throws Exception {
        List<RDN> rdns = new ArrayList<>();
        rdns.add(new RDN(BCStyle.C, new DERPrintableString("DE")));
        rdns.add(new RDN(BCStyle.O, new DERUTF8String(switch (i % 4) {
            case 0 -> "Müller & Söhne, \"GmbH\"";
            case 1 -> "#hash+plus;semi<lt>";
            case 2 -> " leading and trailing ";
            default -> "日本語";
        })));
        rdns.add(new RDN(new AttributeTypeAndValue[] {
            new AttributeTypeAndValue(BCStyle.OU, new DERUTF8String("team " + i)),
            new AttributeTypeAndValue(BCStyle.UID, new DERUTF8String("u" + i))}));
        rdns.add(new RDN(BCStyle.CN, i % 2 == 0 ? new DERBMPString("bmp client " + i) : new DERUTF8String("client " + i)));
        rdns.add(new RDN(BCStyle.EmailAddress, new org.bouncycastle.asn1.DERIA5String("c" + i + "@example.com")));
        return new X500Principal(new X500Name(rdns.toArray(RDN[]::new)).getEncoded());
    }

    /** An intermediate with a permitted DNS subtree, which CertificateBuilder does not make. */
    private static IssuedCertificate nameConstrained(String dns) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X509Certificate rootCert = root.certificate();
        var builder = new JcaX509v3CertificateBuilder(rootCert.getSubjectX500Principal(), BigInteger.valueOf(77),
                Date.from(NOW.minus(Duration.ofDays(1))), Date.from(NOW.plus(Duration.ofDays(9))),
                new X500Principal("CN=constrained CA,O=Test"), pair.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                utils.createAuthorityKeyIdentifier(rootCert.getPublicKey()));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.nameConstraints, true, new NameConstraints(
                new GeneralSubtree[] {new GeneralSubtree(new GeneralName(GeneralName.dNSName, dns))}, null));
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(root.privateKey());
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        return new IssuedCertificate(cert, pair.getPrivate(), List.of(rootCert));
    }
}
