/**
 * Native plumbing for the contract tests: a jnr-ffi binding of the C calls Java NIO lacks ({@link
 * io.ize.testkit.internal.Posix}), descriptor-based tree walks ({@link
 * io.ize.testkit.internal.Trees}), child processes ({@link io.ize.testkit.internal.Child}) and the
 * second process of the lock tests ({@link io.ize.testkit.internal.LockProbe}). Not an API: it
 * changes with the tests.
 */
package io.ize.testkit.internal;
