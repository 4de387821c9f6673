# Sourced by ./probe4j and ./run-tests: finds a JDK >= 25 (the FFM API), trying $JAVA_HOME first,
# then the usual JDK folders (the machine's default java may be older). It sets plain shell
# variables and exports nothing, so whatever the launcher starts gets the caller's environment
# unchanged (run-tests exports JAVA_HOME itself, for Maven).

# Reads the `release` file of the JDK at $1 (reading it instead of asking the JDK's java spares a
# JVM start, ~50 ms, at every launch). Sets probe4j_major to its major version (JAVA_VERSION="25.0.3",
# or "1.8.0_392" in the old scheme), empty when there is no such file, and probe4j_build to what
# tells its builds apart (implementor and full runtime version), in characters fit for a file name.
probe4j_jdk_release() {
  local line version= runtime= vendor=
  probe4j_major= probe4j_build=
  [ -r "$1/release" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      JAVA_VERSION=*) version=${line#*=} ;;
      JAVA_RUNTIME_VERSION=*) runtime=${line#*=} ;;
      IMPLEMENTOR=*) vendor=${line#*=} ;;
    esac
  done <"$1/release"
  version=${version//\"/}
  version=${version#1.}
  probe4j_major=${version%%[!0-9]*}
  probe4j_build="$vendor-${runtime:-$version}"
  probe4j_build=${probe4j_build//[!A-Za-z0-9.+_-]/}
}

# Sets probe4j_jdk (and probe4j_major, probe4j_build) to the first JDK >= 25 found.
probe4j_find_jdk() {
  local d
  for d in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/* /opt/java/* /opt/jdk* "${HOME:-/nonexistent}"/.sdkman/candidates/java/*; do
    [ -n "$d" ] && [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    probe4j_jdk_release "$d"
    if [ -n "$probe4j_major" ] && [ "$probe4j_major" -ge 25 ]; then probe4j_jdk=$d; return 0; fi
  done
  echo "probe4j: no JDK 25 or newer found (set JAVA_HOME; looked in /usr/lib/jvm, /opt)" >&2
  return 1
}
