package io.probe4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary as its descriptor draws it: a user of the exported packages never meets an
 * internal type. Every public or protected member of every public type of an exported package
 * (supertypes, fields, constructors, methods, their parameters, results, exceptions and type bounds)
 * names only types of exported packages or of {@code java.*}.
 */
class ApiBoundaryTest {
    /** The compiled classes (the tests run on the class path, where a module's descriptor is only a file). */
    private static final Path CLASSES = Path.of(Tracer.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    private static final ModuleDescriptor MODULE = descriptor();

    private static ModuleDescriptor descriptor() {
        try (InputStream in = Files.newInputStream(CLASSES.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Set<String> EXPORTED = MODULE.exports().stream()
            .filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());

    @Test
    void theModuleExportsTheApiAndTheTracingLanguagesOnly() {
        assertEquals("io.probe4j", MODULE.name());
        assertEquals(new TreeSet<>(Set.of("io.probe4j", "io.probe4j.error", "io.probe4j.unwind", "io.probe4j.spec",
                "io.probe4j.event", "io.probe4j.filter", "io.probe4j.trigger")), new TreeSet<>(EXPORTED));
    }

    @Test
    void exportedSignaturesNameNoInternalType() throws Exception {
        Set<String> leaks = new TreeSet<>();
        List<Class<?>> api = apiTypes();
        assertTrue(api.size() > 50, "the exported types were found: " + api.size());
        for (Class<?> c : api) {
            String name = c.getName();
            mentions(leaks, name + " extends", c.getGenericSuperclass());
            for (Type t : c.getGenericInterfaces()) {
                mentions(leaks, name + " implements", t);
            }
            for (TypeVariable<?> v : c.getTypeParameters()) {
                mentions(leaks, name + "<" + v.getName() + ">", v.getBounds());
            }
            if (c.isSealed()) {
                for (Class<?> permitted : c.getPermittedSubclasses()) {
                    if (Modifier.isPublic(permitted.getModifiers())) {
                        mentions(leaks, name + " permits", permitted);
                    }
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (isApi(f.getModifiers()) && !f.isSynthetic()) {
                    mentions(leaks, name + "." + f.getName(), f.getGenericType());
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (isApi(k.getModifiers()) && !k.isSynthetic()) {
                    signature(leaks, name + ".<init>", k);
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (isApi(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    signature(leaks, name + "." + m.getName(), m);
                    mentions(leaks, name + "." + m.getName() + " returns", m.getGenericReturnType());
                }
            }
        }
        assertEquals(Set.of(), leaks, "internal types in the exported API");
    }

    /** The public types (nested ones included, if every enclosing type is public) of the exported packages. */
    private static List<Class<?>> apiTypes() throws IOException, ClassNotFoundException {
        List<String> names;
        try (Stream<Path> tree = Files.walk(CLASSES)) {
            names = tree.map(p -> CLASSES.relativize(p).toString())
                    .filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class") && !n.endsWith("package-info.class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        }
        List<Class<?>> api = new ArrayList<>();
        for (String n : names) {
            Class<?> c = Class.forName(n, false, Tracer.class.getClassLoader());
            if (EXPORTED.contains(c.getPackageName()) && visible(c)) {
                api.add(c);
            }
        }
        return api;
    }

    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isApi(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void signature(Set<String> leaks, String where, Executable e) {
        mentions(leaks, where, e.getGenericParameterTypes());
        mentions(leaks, where + " throws", e.getGenericExceptionTypes());
        for (TypeVariable<?> v : e.getTypeParameters()) {
            mentions(leaks, where + "<" + v.getName() + ">", v.getBounds());
        }
    }

    private static void mentions(Set<String> leaks, String where, Type... types) {
        for (Type t : types) {
            switch (t) {
                case null -> { }
                case Class<?> c -> {
                    Class<?> e = c;
                    while (e.isArray()) {
                        e = e.getComponentType();
                    }
                    if (!e.isPrimitive() && !e.getPackageName().startsWith("java.") && !EXPORTED.contains(e.getPackageName())) {
                        leaks.add(where + ": " + e.getName());
                    }
                }
                case ParameterizedType p -> {
                    mentions(leaks, where, p.getRawType());
                    mentions(leaks, where, p.getActualTypeArguments());
                }
                case WildcardType w -> {
                    mentions(leaks, where, w.getUpperBounds());
                    mentions(leaks, where, w.getLowerBounds());
                }
                case GenericArrayType a -> mentions(leaks, where, a.getGenericComponentType());
                case TypeVariable<?> v -> { } // its bounds are checked where it is declared
                default -> leaks.add(where + ": an unknown kind of type " + t);
            }
        }
    }
}
