package io.mtlsgateway.gateway.verify;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Principal;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate that answers every question by asking another one: the base of the verifier's wrappers, which
 * each change one or two answers ({@link PooledSignatureLeaf}: how the signature is checked; {@link ParsedLeaf}:
 * the fields read on every handshake, from a parse of its own) and must leave all others exactly as they were.
 */
abstract class DelegatingCertificate extends X509Certificate {
    /** The certificate answered for. */
    final X509Certificate cert;

    DelegatingCertificate(X509Certificate cert) {
        this.cert = cert;
    }

    @Override
    public void verify(PublicKey key, String sigProvider) throws CertificateException, NoSuchAlgorithmException,
            InvalidKeyException, NoSuchProviderException, SignatureException {
        cert.verify(key, sigProvider);
    }

    @Override
    public void verify(PublicKey key) throws CertificateException, NoSuchAlgorithmException, InvalidKeyException,
            NoSuchProviderException, SignatureException {
        cert.verify(key);
    }

    @Override
    public void verify(PublicKey key, Provider sigProvider) throws CertificateException, NoSuchAlgorithmException,
            InvalidKeyException, SignatureException {
        cert.verify(key, sigProvider);
    }

    @Override
    public void checkValidity() throws CertificateExpiredException, CertificateNotYetValidException {
        cert.checkValidity();
    }

    @Override
    public void checkValidity(Date date) throws CertificateExpiredException, CertificateNotYetValidException {
        cert.checkValidity(date);
    }

    @Override
    public int getVersion() {
        return cert.getVersion();
    }

    @Override
    public BigInteger getSerialNumber() {
        return cert.getSerialNumber();
    }

    @SuppressWarnings("deprecation")
    @Override
    public Principal getIssuerDN() {
        return cert.getIssuerDN();
    }

    @Override
    public X500Principal getIssuerX500Principal() {
        return cert.getIssuerX500Principal();
    }

    @SuppressWarnings("deprecation")
    @Override
    public Principal getSubjectDN() {
        return cert.getSubjectDN();
    }

    @Override
    public X500Principal getSubjectX500Principal() {
        return cert.getSubjectX500Principal();
    }

    @Override
    public Date getNotBefore() {
        return cert.getNotBefore();
    }

    @Override
    public Date getNotAfter() {
        return cert.getNotAfter();
    }

    @Override
    public byte[] getTBSCertificate() throws CertificateEncodingException {
        return cert.getTBSCertificate();
    }

    @Override
    public byte[] getSignature() {
        return cert.getSignature();
    }

    @Override
    public String getSigAlgName() {
        return cert.getSigAlgName();
    }

    @Override
    public String getSigAlgOID() {
        return cert.getSigAlgOID();
    }

    @Override
    public byte[] getSigAlgParams() {
        return cert.getSigAlgParams();
    }

    @Override
    public boolean[] getIssuerUniqueID() {
        return cert.getIssuerUniqueID();
    }

    @Override
    public boolean[] getSubjectUniqueID() {
        return cert.getSubjectUniqueID();
    }

    @Override
    public boolean[] getKeyUsage() {
        return cert.getKeyUsage();
    }

    @Override
    public List<String> getExtendedKeyUsage() throws CertificateParsingException {
        return cert.getExtendedKeyUsage();
    }

    @Override
    public int getBasicConstraints() {
        return cert.getBasicConstraints();
    }

    @Override
    public Collection<List<?>> getSubjectAlternativeNames() throws CertificateParsingException {
        return cert.getSubjectAlternativeNames();
    }

    @Override
    public Collection<List<?>> getIssuerAlternativeNames() throws CertificateParsingException {
        return cert.getIssuerAlternativeNames();
    }

    @Override
    public byte[] getEncoded() throws CertificateEncodingException {
        return cert.getEncoded();
    }

    @Override
    public PublicKey getPublicKey() {
        return cert.getPublicKey();
    }

    @Override
    public boolean hasUnsupportedCriticalExtension() {
        return cert.hasUnsupportedCriticalExtension();
    }

    @Override
    public Set<String> getCriticalExtensionOIDs() {
        return cert.getCriticalExtensionOIDs();
    }

    @Override
    public Set<String> getNonCriticalExtensionOIDs() {
        return cert.getNonCriticalExtensionOIDs();
    }

    @Override
    public byte[] getExtensionValue(String oid) {
        return cert.getExtensionValue(oid);
    }

    @Override
    public String toString() {
        return cert.toString();
    }
}
