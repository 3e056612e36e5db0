/**
 * Test support for Ize: the POSIX contract tests that every mount configuration passes.
 *
 * <p>Contract classes are abstract JUnit 5 tests shipped in the main source set; a configuration
 * extends one and supplies the directories to test. They are not thread-safe; JUnit runs each test
 * method on one thread.
 */
package io.ize.testkit;
