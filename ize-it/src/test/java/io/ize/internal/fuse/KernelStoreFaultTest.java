package io.ize.internal.fuse;

import io.ize.Transport;

/** Every store-fault test on the kernel transport. */
class KernelStoreFaultTest extends StoreFaultTest {
  @Override
  protected Transport transport() {
    return Transport.KERNEL;
  }
}
