package io.ize.testkit;

import io.ize.Mount;
import io.ize.api.Snapshot;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The extension behind {@link IzeTest}: mounts in {@code beforeAll} (rollback) or {@code
 * beforeEach}, fills {@link Mounted} fields and parameters, and leaves unmounting to JUnit's store.
 *
 * <p>State lives only in the {@link ExtensionContext.Store}: the class's shared {@link MountedTree}
 * under {@link #CLASS_TREE} in the class context, a test's own under {@link #TEST_TREE} in the
 * method context, and the snapshot a test started from under {@link #START}. JUnit runs one test of
 * a class at a time unless told otherwise; a shared mount with rollback cannot serve concurrent
 * tests, so such a class must not run in parallel.
 */
final class IzeExtension
    implements ExecutionCondition,
        BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(IzeExtension.class);
  private static final String CLASS_TREE = "class-tree";
  private static final String TEST_TREE = "test-tree";
  private static final String START = "start";
  private static final String CLEANUP_MODE_DEFAULT = "junit.jupiter.tempdir.cleanup.mode.default";
  private static final List<Class<?>> INJECTABLE = List.of(Path.class, Mount.class, Snapshot.class);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isPresent()) {
      return ConditionEvaluationResult.enabled("FUSE was checked for the class");
    }
    return evaluate(Path.of("/dev/fuse"));
  }

  /** Whether tests can mount through {@code device}. */
  static ConditionEvaluationResult evaluate(Path device) {
    String why = FuseAssumptions.unavailableReason(device);
    return why == null
        ? ConditionEvaluationResult.enabled("FUSE is available")
        : ConditionEvaluationResult.disabled("@IzeTest needs FUSE: " + why);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    IzeTest settings = settings(context);
    List<Field> statics =
        AnnotationSupport.findAnnotatedFields(
            context.getRequiredTestClass(),
            Mounted.class,
            f -> Modifier.isStatic(f.getModifiers()),
            HierarchyTraversalMode.TOP_DOWN);
    for (Field field : statics) {
      check(field);
      if (!settings.rollback()) {
        throw new ExtensionConfigurationException(
            "@Mounted static field "
                + describe(field)
                + " needs @IzeTest(rollback = true): without it each test has a mount of its own");
      }
      if (field.getType() == Snapshot.class) {
        throw new ExtensionConfigurationException(
            "@Mounted static field "
                + describe(field)
                + " cannot be a Snapshot: each test has one");
      }
    }
    if (settings.rollback() && context.getStore(NAMESPACE).get(CLASS_TREE) == null) {
      context.getStore(NAMESPACE).put(CLASS_TREE, open(settings, context));
    }
    for (Field field : statics) {
      inject(field, null, context);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    IzeTest settings = settings(context);
    String name = "before-" + context.getRequiredTestMethod().getName();
    MountedTree tree;
    if (settings.rollback()) {
      tree = tree(context);
    } else {
      tree = open(settings, context);
      context.getStore(NAMESPACE).put(TEST_TREE, tree);
    }
    context.getStore(NAMESPACE).put(START, tree.mount().snapshot(name));
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      List<Field> fields =
          AnnotationSupport.findAnnotatedFields(
              instance.getClass(),
              Mounted.class,
              f -> !Modifier.isStatic(f.getModifiers()),
              HierarchyTraversalMode.TOP_DOWN);
      for (Field field : fields) {
        check(field);
        inject(field, instance, context);
      }
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    if (!settings(context).rollback()) {
      return; // the test's own mount goes with its context
    }
    Snapshot start = context.getStore(NAMESPACE).get(START, Snapshot.class);
    if (start == null) {
      return; // beforeEach failed before the test began: nothing to roll back
    }
    MountedTree tree = tree(context);
    try {
      if (context.getExecutionException().isPresent()) {
        tree.keepFailed(context.getRequiredTestMethod().getName());
      }
    } finally {
      tree.mount().restore(start.point()); // the next test starts clean whatever happened here
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    if (!parameter.isAnnotated(Mounted.class)) {
      return false;
    }
    String what = describe(parameter);
    if (parameter.getDeclaringExecutable() instanceof Constructor) {
      throw new ExtensionConfigurationException(
          "@Mounted " + what + ": constructors are not filled; use a field or a method parameter");
    }
    Class<?> type = parameter.getParameter().getType();
    if (!INJECTABLE.contains(type)) {
      throw new ExtensionConfigurationException(
          "@Mounted "
              + what
              + " has type "
              + type.getName()
              + "; it can be a Path (the mounted directory), a Mount or the Snapshot the test"
              + " started from");
    }
    if (context.getTestMethod().isEmpty()) {
      if (!settings(context).rollback()) {
        throw new ExtensionConfigurationException(
            "@Mounted "
                + what
                + " needs @IzeTest(rollback = true): without it there is no mount outside a test");
      }
      if (type == Snapshot.class) {
        throw new ExtensionConfigurationException(
            "@Mounted " + what + " cannot be a Snapshot outside a test: each test has one");
      }
    }
    return true;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return value(parameter.getParameter().getType(), context);
  }

  private static MountedTree open(IzeTest settings, ExtensionContext context) throws IOException {
    return MountedTree.open(settings.backend(), cleanupMode(settings, context), context);
  }

  /** The tree of the current test: its own, or the one its class shares. */
  private static MountedTree tree(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    MountedTree tree =
        store.get(settings(context).rollback() ? CLASS_TREE : TEST_TREE, MountedTree.class);
    if (tree == null) {
      throw new IllegalStateException("no Ize mount for " + context.getUniqueId());
    }
    return tree;
  }

  private static Object value(Class<?> type, ExtensionContext context) {
    if (type == Snapshot.class) {
      return context.getStore(NAMESPACE).get(START, Snapshot.class);
    }
    MountedTree tree = tree(context);
    return type == Path.class ? tree.directory() : tree.mount();
  }

  private static void check(Field field) {
    if (!INJECTABLE.contains(field.getType())) {
      throw new ExtensionConfigurationException(
          "@Mounted field "
              + describe(field)
              + " has type "
              + field.getType().getName()
              + "; it can be a Path (the mounted directory), a Mount or the Snapshot the test"
              + " started from");
    }
    if (Modifier.isFinal(field.getModifiers())) {
      throw new ExtensionConfigurationException(
          "@Mounted field " + describe(field) + " must not be final");
    }
  }

  private static void inject(Field field, Object instance, ExtensionContext context) {
    try {
      field.setAccessible(true);
      field.set(instance, value(field.getType(), context));
    } catch (IllegalAccessException | RuntimeException e) {
      throw new ExtensionConfigurationException(
          "cannot set @Mounted field " + describe(field) + ": " + e, e);
    }
  }

  /** The nearest {@link IzeTest}, on the test class or a class enclosing it. */
  private static IzeTest settings(ExtensionContext context) {
    for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
      Optional<IzeTest> found = AnnotationSupport.findAnnotation(c, IzeTest.class);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new ExtensionConfigurationException(
        "the Ize extension runs through @IzeTest, which "
            + context.getRequiredTestClass()
            + " lacks");
  }

  private static CleanupMode cleanupMode(IzeTest settings, ExtensionContext context) {
    if (settings.cleanup() != CleanupMode.DEFAULT) {
      return settings.cleanup();
    }
    Optional<String> configured = context.getConfigurationParameter(CLEANUP_MODE_DEFAULT);
    if (configured.isEmpty()) {
      return CleanupMode.ALWAYS;
    }
    try {
      CleanupMode mode = CleanupMode.valueOf(configured.get().trim().toUpperCase(Locale.ROOT));
      return mode == CleanupMode.DEFAULT ? CleanupMode.ALWAYS : mode;
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(
          CLEANUP_MODE_DEFAULT
              + " must be ALWAYS, ON_SUCCESS or NEVER, not '"
              + configured.get()
              + "'",
          e);
    }
  }

  private static String describe(Field field) {
    return "'" + field.getName() + "' of " + field.getDeclaringClass().getName();
  }

  private static String describe(ParameterContext parameter) {
    return "parameter "
        + parameter.getIndex()
        + (parameter.getParameter().isNamePresent()
            ? " ('" + parameter.getParameter().getName() + "')"
            : "")
        + " of "
        + (parameter.getDeclaringExecutable() instanceof Constructor
            ? "the constructor of "
                + parameter.getDeclaringExecutable().getDeclaringClass().getName()
            : parameter.getDeclaringExecutable().getDeclaringClass().getName()
                + "."
                + parameter.getDeclaringExecutable().getName());
  }
}
