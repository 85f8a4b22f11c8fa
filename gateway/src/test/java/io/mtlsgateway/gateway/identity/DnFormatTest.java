package io.mtlsgateway.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.tls.PemFiles;
import io.mtlsgateway.gateway.testing.OpenSslCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.DERUniversalString;
import org.bouncycastle.asn1.DERVisibleString;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our subject strings against the real {@code openssl x509 -nameopt RFC2253}, byte for byte, for
 * certificates made by {@code openssl req} (the way operators make them) and, for string types
 * {@code req} cannot produce, by BouncyCastle.
 */
class DnFormatTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void needsOpenSsl() {
        assumeTrue(OpenSslCli.available(), "openssl is not installed");
    }

    /** {@code -subj} values and the {@code openssl req} flags they need. */
    static Stream<List<String>> realWorldNames() {
        return Stream.of(
                List.of("/C=US/ST=California/L=San Francisco/O=Example, Inc./OU=Engineering/CN=www.example.com"),
                List.of("/CN=alice/emailAddress=alice@example.com"),
                List.of("/serialNumber=0123456789/CN=device-42"),
                List.of("/DC=com/DC=example/OU=People/UID=jdoe/CN=John Doe"),
                List.of("/O=Bank/CN=payments+OU=prod+UID=42", "-multivalue-rdn"),
                List.of("/CN=b+CN=a+C=DE", "-multivalue-rdn"),
                List.of("/CN=Jürgen Müller/O=Société Générale/L=東京/OU=😀", "-utf8"),
                List.of("/CN=a+b/O=x\\+y"),
                List.of("/CN=Smith, John/OU=a;b/O=<tag>/L=quote\"d/ST=back\\\\slash"),
                List.of("/CN=key=value/O==leading equals"),
                List.of("/CN=#hash/O=mid#dle/OU=#"),
                List.of("/CN= leading/O=trailing /OU= both /L=in  side"),
                List.of("/CN=tab\there/O=del\u007fhere/OU=line\r\nX-Forged: 1"),
                List.of("/jurisdictionC=US/jurisdictionST=Delaware/businessCategory=Private Organization"
                        + "/serialNumber=1234567/CN=ev.example.com"),
                List.of("/GN=John/SN=Doe/title=Dr/initials=JD/pseudonym=jd/generationQualifier=III"
                        + "/dnQualifier=q1/description=Desc/name=Name/postalCode=12345/street=1 Main St"),
                List.of("/organizationIdentifier=VATDE-123456789/CN=x/1.2.3.4=unknown/2.5.4.1=alias"),
                List.of("/CN=x/mail=x@example.com/uid=0b/UID=u"));
    }

    @ParameterizedTest
    @MethodSource("realWorldNames")
    void subjectIsByteIdenticalToOpenSslForCertificatesMadeByOpenSsl(List<String> subjAndFlags) throws IOException {
        Path cert = OpenSslCli.selfSigned(dir, subjAndFlags.get(0),
                subjAndFlags.subList(1, subjAndFlags.size()).toArray(String[]::new));
        X509Certificate parsed = PemFiles.readCertificates(cert).get(0);
        assertEquals(OpenSslCli.subject(cert), DnFormat.rfc2253(parsed.getSubjectX500Principal()));
        assertEquals(OpenSslCli.issuer(cert), DnFormat.rfc2253(parsed.getIssuerX500Principal()));
    }

    /** Values of each string type, built with BouncyCastle. */
    static Stream<List<ASN1Encodable>> stringTypes() {
        return Stream.of(
                List.of(new DERBMPString("Grüße ☃ x")),
                List.of(new DERUniversalString(utf32("Üñí 𝄞"))),
                List.of(new DERT61String(new byte[] {'c', 'a', 'f', (byte) 0xE9, ' '})),
                List.of(new DERPrintableString("Printable #1")),
                List.of(new DERIA5String("ia5@example.com")),
                List.of(new DERUTF8String(allAscii())),
                List.of(new DERUTF8String(" ")),
                List.of(new DERUTF8String("#")),
                List.of(new DERUTF8String("")),
                List.of(new DERUTF8String("# ")),
                List.of(new DERSequence(new DERUTF8String("inner"))),
                List.of(new DERUTF8String("a"), new DERBMPString("b"), new DERPrintableString("c")));
    }

    @ParameterizedTest
    @MethodSource("stringTypes")
    void subjectIsByteIdenticalToOpenSslForEveryStringType(List<ASN1Encodable> values) throws IOException {
        // One multi-valued RDN (CN, O, OU, ...) plus an RDN after it, so order and separators are covered too.
        ASN1ObjectIdentifier[] types = {BCStyle.CN, BCStyle.O, BCStyle.OU};
        List<AttributeTypeAndValue> first = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            first.add(new AttributeTypeAndValue(types[i], values.get(i)));
        }
        X500Name name = new X500Name(new RDN[] {
            new RDN(first.toArray(AttributeTypeAndValue[]::new)),
            new RDN(BCStyle.C, new DERPrintableString("NZ"))});
        X500Principal principal = new X500Principal(name.getEncoded(ASN1Encoding.DER));
        X509Certificate cert = new CertificateBuilder().subject(principal).selfSigned().certificate();
        Path file = Files.createTempFile(dir, "bc-", ".pem");
        PemFiles.write(file, cert);
        assertEquals(OpenSslCli.subject(file), DnFormat.rfc2253(cert.getSubjectX500Principal()));
    }

    @Test
    void namesOpenSslRefusesToLoadStillComeOutAsPrintableAscii() {
        // OpenSSL rejects surrogates in a BMPString and VisibleString values; we must still
        // produce something safe for a header or a log line.
        X500Name name = new X500Name(new RDN[] {
            new RDN(BCStyle.CN, new DERBMPString("pair \uD834\uDD1E, lone \uD800 end")),
            new RDN(BCStyle.O, new DERVisibleString(" visible\r\n"))});
        String formatted = DnFormat.rfc2253(new X500Principal(encoded(name)));
        assertEquals("O=\\ visible\\0D\\0A,CN=pair \\, lone  end", formatted);
    }

    private static byte[] encoded(X500Name name) {
        try {
            return name.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anEmptyNameIsAnEmptyString() {
        assertEquals("", DnFormat.rfc2253(new X500Principal("")));
    }

    private static String allAscii() {
        StringBuilder s = new StringBuilder();
        for (char c = 1; c < 0x80; c++) {
            s.append(c);
        }
        return s.toString();
    }

    private static byte[] utf32(String s) {
        return s.getBytes(java.nio.charset.Charset.forName("UTF-32BE"));
    }
}
