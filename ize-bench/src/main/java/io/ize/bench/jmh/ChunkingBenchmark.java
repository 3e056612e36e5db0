package io.ize.bench.jmh;

import io.ize.api.Chunker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Where content ingest spends its time before the store: SHA-256 alone over the whole file, then
 * the recorder's chunking (FastCDC) with a SHA-256 per chunk. Scores are MiB per second (one
 * operation is one MiB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChunkingBenchmark {
  @Param({"random", "repeats"})
  public String data;

  private Content content;

  @Setup(Level.Trial)
  public void generate() {
    content = new Content(data);
  }

  @Benchmark
  @OperationsPerInvocation(Content.SIZE_MIB)
  public byte[] sha256Only() throws NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256").digest(content.bytes());
  }

  @Benchmark
  @OperationsPerInvocation(Content.SIZE_MIB)
  public long chunkAndHash(Blackhole chunks) throws IOException {
    return Chunker.split(new ByteArrayInputStream(content.bytes()), chunks::consume);
  }
}
