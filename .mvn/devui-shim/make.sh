#!/usr/bin/env bash
# Rebuilds this folder: the Dev UI artifacts of Quarkus 3.34.3 republished as 3.34.2.
#
# Why: `quarkus:dev` always adds io.quarkus:quarkus-devui at the platform version (3.34.2), but the
# package registry this project builds against lacks quarkus-devui, -spi, -deployment and -resources
# 3.34.2 (it has 3.34.1 and 3.34.3). .mvn/maven.config chains this folder
# behind the local repository (maven.repo.local.tail), so dev mode finds them. Only dev mode uses
# them; packaged builds and tests never do. Delete the folder and the maven.config line once the
# platform moves to a version whose Dev UI the registry has.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
from=3.34.3 to=3.34.2
m2="${HOME}/.m2/repository/io/quarkus"
for a in quarkus-devui quarkus-devui-spi quarkus-devui-deployment quarkus-devui-resources; do
  (cd "$here/../.." && ./mvnw -q dependency:get -Dartifact=io.quarkus:$a:$from -Dtransitive=false \
    && ./mvnw -q dependency:get -Dartifact=io.quarkus:$a:$from:pom -Dtransitive=false)
  out="$here/io/quarkus/$a/$to"; rm -rf "$out"; mkdir -p "$out"
  sed "s#<version>$from</version>#<version>$to</version>#" "$m2/$a/$from/$a-$from.pom" >"$out/$a-$to.pom"
  work="$(mktemp -d)"
  (cd "$work" && unzip -q "$m2/$a/$from/$a-$from.jar" \
    && if [ -f META-INF/quarkus-extension.properties ]; then sed -i "s/$from/$to/g" META-INF/quarkus-extension.properties; fi \
    && zip -q -r -X "$out/$a-$to.jar" .)
  rm -rf "$work"
done
