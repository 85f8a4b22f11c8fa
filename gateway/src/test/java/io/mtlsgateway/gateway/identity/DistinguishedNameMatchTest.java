package io.mtlsgateway.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.testing.OpenSslCli;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code allow: subject:} compares names by meaning: every spelling of a name matches it, nothing else does. */
class DistinguishedNameMatchTest {
    @TempDir
    Path dir;

    private PeerIdentity opensslMade(String subj, String... flags) throws IOException {
        assumeTrue(OpenSslCli.available(), "openssl is not installed");
        Path cert = OpenSslCli.selfSigned(dir, subj, flags);
        PeerIdentity identity = PeerIdentity.of(PemFiles.readCertificates(cert));
        assertEquals(OpenSslCli.subject(cert), identity.subject());
        return identity;
    }

    private static boolean matches(String rule, PeerIdentity identity) {
        return DistinguishedNameMatch.of(rule).matches(identity.subject());
    }

    @Test
    void anAllowListInOpenSslOrJavaFormMatchesTheSameCertificate() throws IOException {
        PeerIdentity id = opensslMade("/C=DE/O=Bank AG/CN=Jürgen/emailAddress=j@bank.example/serialNumber=42", "-utf8");
        assertEquals("serialNumber=42,emailAddress=j@bank.example,CN=J\\C3\\BCrgen,O=Bank AG,C=DE", id.subject());
        X509Certificate cert = PemFiles.readCertificates(OpenSslCli.selfSigned(dir,
                "/C=DE/O=Bank AG/CN=Jürgen/emailAddress=j@bank.example/serialNumber=42", "-utf8")).get(0);
        String javaForm = cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
        // Java spells emailAddress as an OID with the DER in hex, and keeps ü unescaped.
        assertTrue(javaForm.contains("1.2.840.113549.1.9.1=#16"), javaForm);

        assertTrue(matches(id.subject(), id));
        assertTrue(matches(javaForm, id));
        assertTrue(matches("SERIALNUMBER=42, E=J@Bank.Example, CN=jürgen, O=bank  ag, C=de", id));
        assertTrue(matches("2.5.4.5=42,OID.1.2.840.113549.1.9.1=j@bank.example,2.5.4.3=Jürgen,O=Bank AG,C=DE", id));
        assertTrue(matches("serialNumber=42;emailAddress=j@bank.example;CN=\"Jürgen\";O= Bank AG ;C=DE", id));

        assertFalse(matches("serialNumber=43,emailAddress=j@bank.example,CN=Jürgen,O=Bank AG,C=DE", id));
        assertFalse(matches("emailAddress=j@bank.example,CN=Jürgen,O=Bank AG,C=DE", id), "an RDN missing");
        assertFalse(matches("C=DE,O=Bank AG,CN=Jürgen,emailAddress=j@bank.example,serialNumber=42", id),
                "RDN order is significant");
        assertFalse(matches("serialNumber=42,emailAddress=j@bank.example,CN=Jurgen,O=Bank AG,C=DE", id));
        assertFalse(matches("serialNumber=42,emailAddress=j@bank.example,CN=Jürgen,O=BankAG,C=DE", id),
                "inner spaces are significant, only their number is not");
    }

    @Test
    void multiValuedRdnsMatchInAnyInnerOrderButNotAsSeparateRdns() throws IOException {
        PeerIdentity id = opensslMade("/O=Bank/CN=payments+OU=prod+UID=42", "-multivalue-rdn");
        assertTrue(matches("CN=payments+OU=prod+UID=42,O=Bank", id));
        assertTrue(matches("uid=42 + ou=PROD + cn=Payments, o=bank", id));
        assertFalse(matches("CN=payments,OU=prod,UID=42,O=Bank", id));
        assertFalse(matches("CN=payments+OU=prod,O=Bank", id));
    }

    @Test
    void escapedSpecialCharactersMatchTheirOwnValue() throws IOException {
        PeerIdentity id = opensslMade("/CN=Smith, John/O=a\\+b/OU=x=y/L= lead/ST=#hash");
        assertEquals("ST=\\#hash,L=\\ lead,OU=x=y,O=a\\+b,CN=Smith\\, John", id.subject());
        assertTrue(matches(id.subject(), id));
        assertTrue(matches("ST=\\#hash,L=lead,OU=x\\=y,O=a\\+b,CN=Smith\\, John", id));
        assertTrue(matches("ST=\\23hash,L=\\20lead,OU=x=y,O=\"a+b\",CN=\"Smith, John\"", id));
    }

    @Test
    void domainComponentsAndUserIdsCompareIgnoringCase() throws IOException {
        PeerIdentity id = opensslMade("/DC=com/DC=Example/UID=JDoe/CN=John Doe");
        assertTrue(matches("CN=john doe,UID=jdoe,DC=example,DC=COM", id));
        assertTrue(matches("CN=John Doe,0.9.2342.19200300.100.1.1=JDoe,0.9.2342.19200300.100.1.25=Example,DC=com", id));
        assertFalse(matches("CN=John Doe,UID=JDoe,DC=Example", id));
    }

    @Test
    void typesWithoutAKnownRuleCompareExactlyAndHexEqualsItsString() throws Exception {
        // openssl req drops attribute types it has no name for, so this one is made with BouncyCastle.
        assumeTrue(OpenSslCli.available(), "openssl is not installed");
        X509Certificate made = new CertificateBuilder().subject(new X500Principal(new X500Name(new RDN[] {
            new RDN(new ASN1ObjectIdentifier("1.2.3.4"), new DERUTF8String("Token")),
            new RDN(BCStyle.CN, new DERUTF8String("x"))}).getEncoded())).selfSigned().certificate();
        Path file = dir.resolve("unknown-type.pem");
        PemFiles.write(file, made);
        PeerIdentity id = PeerIdentity.of(List.of(made));
        assertEquals(OpenSslCli.subject(file), id.subject());
        assertEquals("CN=x,1.2.3.4=#0C05546F6B656E", id.subject());
        assertTrue(matches("CN=x,1.2.3.4=Token", id));
        assertTrue(matches("CN=X,1.2.3.4=#0C05546F6B656E", id));
        assertFalse(matches("CN=x,1.2.3.4=token", id));
    }

    @Test
    void hiddenControlCharactersAreSignificant() throws IOException {
        PeerIdentity id = opensslMade("/CN=ad\rmin");
        assertEquals("CN=ad\\0Dmin", id.subject());
        assertFalse(matches("CN=admin", id));
        assertTrue(matches("CN=ad\\0Dmin", id));
    }

    @Test
    void anUnknownAttributeNameIsRefusedWithItsPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistinguishedNameMatch.of("CN=x,Colour=blue"));
        assertTrue(e.getMessage().startsWith("unknown attribute type 'Colour' at character 6"), e.getMessage());
        assertFalse(DistinguishedNameMatch.same("CN=a", "CN=b"));
        assertTrue(DistinguishedNameMatch.same("", " "));
        assertEquals(List.of(), io.mtlsgateway.config.DistinguishedName.parse("").rdns());
    }
}
