# Sourced by ./probe4j and ./run-tests: sets JAVA_HOME to a JDK >= 25 (the FFM API),
# trying $JAVA_HOME first, then the usual JDK folders. The machine's default java may be older.
probe4j_jdk_major() {  # prints the major version of the JDK at $1, or nothing
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  printf '%s' "${v%%.*}"
}
probe4j_find_jdk() {
  local d m
  for d in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -n "$d" ] && [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    m=$(probe4j_jdk_major "$d")
    if [ -n "$m" ] && [ "$m" -ge 25 ]; then export JAVA_HOME="$d"; return 0; fi
  done
  echo "probe4j: no JDK 25 or newer found (set JAVA_HOME; looked in /usr/lib/jvm, /opt)" >&2
  return 1
}
