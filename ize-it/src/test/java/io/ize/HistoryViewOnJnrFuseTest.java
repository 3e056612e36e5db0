package io.ize;

/** The history view through the jnr-fuse transport. */
class HistoryViewOnJnrFuseTest extends HistoryViewTest {
  @Override
  MountOptions options() {
    return MountOptions.builder().transport(Transport.JNR_FUSE).build();
  }
}
