package io.switchboard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;

/**
 * The direction of dependencies between the packages (README, "How the code is organised"):
 * {@code gateway} on top, {@code protocol} at the bottom, every package allowed only the packages
 * listed for it here. A new package has to be placed in this table before the build passes.
 */
class ArchitectureTest {
    private static final String ROOT = "io.switchboard";

    /** package → the other packages of this project it may use. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("protocol", Set.of()),
            Map.entry("transport", Set.of("protocol")),
            Map.entry("auth", Set.of("protocol")),
            Map.entry("rooms", Set.of("protocol")),
            Map.entry("history", Set.of("rooms", "protocol")),
            Map.entry("cluster", Set.of("history", "rooms", "protocol")),
            Map.entry("presence", Set.of("cluster", "rooms", "protocol")),
            Map.entry("ops", Set.of("cluster", "protocol")),
            Map.entry("api", Set.of("auth", "cluster", "ops", "protocol")),
            Map.entry("gateway", Set.of("transport", "auth", "rooms", "history", "cluster", "presence", "ops", "protocol")),
            Map.entry("dev", Set.of()),
            Map.entry("demo", Set.of()));

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void everyPackageIsPlaced() {
        Set<String> packages = CLASSES.stream().map(JavaClass::getPackageName)
                .filter(p -> p.startsWith(ROOT + "."))
                .map(p -> p.substring(ROOT.length() + 1).split("\\.")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(ALLOWED.keySet()), packages);
    }

    @Test
    void eachPackageUsesOnlyThePackagesBelowIt() {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, Set<String>> entry : ALLOWED.entrySet()) {
            String[] forbidden = ALLOWED.keySet().stream()
                    .filter(p -> !p.equals(entry.getKey()) && !entry.getValue().contains(p))
                    .map(p -> ROOT + "." + p + "..")
                    .toArray(String[]::new);
            if (forbidden.length > 0) {
                EvaluationResult result = noClasses().that().resideInAPackage(ROOT + "." + entry.getKey() + "..")
                        .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                        .because(entry.getKey() + " may use only " + entry.getValue())
                        .allowEmptyShould(true) // a package missing is everyPackageIsPlaced's to report
                        .evaluate(CLASSES);
                if (result.hasViolation()) {
                    violations.add(result.getFailureReport().toString());
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void nettyStaysInTheTransportAndTheGateway() {
        noClasses().that().resideInAnyPackage(ROOT + ".protocol..", ROOT + ".rooms..", ROOT + ".auth..",
                ROOT + ".history..", ROOT + ".cluster..", ROOT + ".presence..", ROOT + ".api..")
                .should().dependOnClassesThat().resideInAPackage("io.netty..")
                .check(CLASSES);
    }

    @Test
    void vertxInternalsOnlyInTheTransport() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".transport..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..impl..", "io.netty..internal..")
                .check(CLASSES);
    }
}
