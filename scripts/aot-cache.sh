# Sourced by ./probe4j: the JDK's ahead-of-time cache of probe4j (JEP 483, 514, 515), so a start
# does not parse, verify and link the same classes again. It lives next to the jar, one file a
# JDK build (probe4j-<build>.aot), and holds what a training run loaded, linked and profiled.
#
# The launcher decides whether the cache fits: the JVM checks the JDK build and the jar's size, but
# not what the jar holds, so a jar rebuilt at the same size would run with the old classes; a
# cache is used only while it is newer than the jar. A missing or stale cache is made again, in
# one training run (-XX:AOTMode=record, then =create) written to a temporary name and renamed:
# two first runs at once each make a whole cache and the last rename wins. Making it can only
# cost time: whatever fails, the run goes on without a cache, and an empty cache file records the
# failure so that the next runs do not try again with this jar.

# Sets probe4j_aot to the cache for the jar $2 and the JDK at $1 (build $3, see jdk.sh), making it
# when needed; empty when there is none. $5... are the JVM options every run gets: the cache is
# made with them, and the launcher $4 that names them must be older than the cache too.
probe4j_aot_cache() {
  local jdk=$1 jar=$2 build=$3 launcher=$4 dir=${2%/*} cache tmp f limit=()
  shift 4
  probe4j_aot=
  cache="$dir/probe4j-$build.aot"
  if [ -e "$cache" ] && [ "$cache" -nt "$jar" ] && [ "$cache" -nt "$launcher" ]; then
    [ -s "$cache" ] && probe4j_aot=$cache
    return 0
  fi
  [ -w "$dir" ] || return 0
  tmp="$cache.$$.tmp"
  trap 'rm -f "$tmp" "$tmp.conf" "$tmp.start"; exit 130' INT
  trap 'rm -f "$tmp" "$tmp.conf" "$tmp.start"; exit 143' TERM
  # the cache is dated to the start of its training: a jar rebuilt meanwhile is newer than it
  : >"$tmp.start"
  # a training that hangs must not hang the run (--foreground: Ctrl-C still reaches it)
  command -v timeout >/dev/null && limit=(timeout --foreground -k 10 300)
  # a JVM that dies making the cache (JDK 25.0.3's AOTMode=create has failed a guarantee here, now and
  # then) writes its report next to the jar, not into the user's current directory
  local crash=(-XX:ErrorFile="$dir/probe4j-aot-hs_err_%p.log")
  if "${limit[@]}" "$jdk/bin/java" -XX:AOTMode=record -XX:AOTConfiguration="$tmp.conf" "${crash[@]}" "$@" \
        -Dprobe4j.aot.training=true -jar "$jar" </dev/null >/dev/null 2>&1 &&
     "${limit[@]}" "$jdk/bin/java" -XX:AOTMode=create -XX:AOTConfiguration="$tmp.conf" -XX:AOTCache="$tmp" "${crash[@]}" "$@" \
        -jar "$jar" </dev/null >/dev/null 2>&1 &&
     touch -r "$tmp.start" "$tmp" && mv -f "$tmp" "$cache"; then
    probe4j_aot=$cache
    for f in "$dir"/probe4j-*.aot; do  # caches of other JDK builds made for an older jar
      [ "$f" != "$cache" ] && [ ! "$f" -nt "$jar" ] && rm -f "$f"
    done
  else
    : >"$tmp" && touch -r "$tmp.start" "$tmp" && mv -f "$tmp" "$cache"
  fi
  rm -f "$tmp" "$tmp.conf" "$tmp.start"
  trap - INT TERM
}
