/** JMH benchmarks of the gateway's hot paths; run from the shaded {@code bench/target/benchmarks.jar}. */
package io.mtlsgateway.bench;
