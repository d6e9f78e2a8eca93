#!/usr/bin/env bash
# Runs the JMH micro-benchmarks (src/test/java/**/*Benchmark.java) of the hot paths.
#   bench/jmh.sh [JMH options, e.g. FanoutBenchmark -p members=200]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" org.openjdk.jmh.Main "$@"
