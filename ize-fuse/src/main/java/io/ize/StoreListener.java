package io.ize;

import java.io.IOException;

/**
 * Hears of recording failures: a full disk, a broken or failing store. The mount keeps serving the
 * user's writes and the history gets an explicit gap record. Called on the thread that saw the
 * failure; must not block.
 */
@FunctionalInterface
public interface StoreListener {
  void failed(IOException failure);
}
