/**
 * JMH benchmarks of the version stores through the public {@link io.ize.api.VersionStore} API:
 * recording throughput, content ingest and history query latency, for each backend. Run them with
 * {@code ize-bench/jmh}; {@code mvn verify} only compiles them.
 */
package io.ize.bench.jmh;
