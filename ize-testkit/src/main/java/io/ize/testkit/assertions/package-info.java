/**
 * AssertJ assertions on change sets and file histories: start from {@link
 * io.ize.testkit.assertions.IzeAssertions}. Assertion objects are not thread-safe; failures are
 * {@link AssertionError}s whose messages list what actually changed.
 */
package io.ize.testkit.assertions;
