/**
 * Test support for Ize: the JUnit 5 extension ({@link io.ize.testkit.IzeTest}, {@link
 * io.ize.testkit.Mounted}) that gives a test a live mount over a fresh temporary directory, the
 * POSIX contract tests that every mount configuration passes, and {@link
 * io.ize.testkit.FuseAssumptions}.
 *
 * <p>Contract classes are abstract JUnit 5 tests shipped in the main source set; a configuration
 * extends one and supplies the directories to test. They are not thread-safe; JUnit runs each test
 * method on one thread. A class sharing one mount ({@code @IzeTest(rollback = true)}) must not run
 * its tests in parallel. Misuse of the extension is an {@link
 * org.junit.jupiter.api.extension.ExtensionConfigurationException} naming the element; I/O failures
 * while mounting or rolling back fail the test with their {@link java.io.IOException}.
 */
package io.ize.testkit;
