/** Certificate and CRL issuing with BouncyCastle: the dev CA tooling, also used by tests and the demo. */
package io.mtlsgateway.gateway.pki;
