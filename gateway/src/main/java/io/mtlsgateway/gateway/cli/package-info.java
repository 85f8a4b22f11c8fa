/** The picocli commands: parse arguments, load config, call into the gateway; no logic of their own. */
package io.mtlsgateway.gateway.cli;
