/**
 * Bearer tokens (JWS-signed JWTs) checked at the gateway: key sets from files or URLs, the pure
 * validator with its bounded refusal reasons, RFC 8705 certificate binding, and claim rules.
 */
package io.mtlsgateway.gateway.jwt;
