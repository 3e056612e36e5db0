package io.ize.internal.fuse;

import io.ize.Transport;
import io.ize.testkit.FuseAssumptions;
import org.junit.jupiter.api.BeforeEach;

/** Every lifecycle test on the kernel transport. */
class KernelMountLifecycleTest extends MountLifecycleTest {
  @Override
  @BeforeEach
  void requireFuse() {
    FuseAssumptions.assumeKernelTransportAvailable();
  }

  @Override
  protected Transport transport() {
    return Transport.KERNEL;
  }
}
