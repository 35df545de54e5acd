#!/usr/bin/env bash
# Benchmarks casebook against Hugo on synthetic catalogues.
#
#   benches/bench.sh [SIZES...]        default: 1000 10000 (100000 works, but takes long)
#
# For each size it generates a corpus with examples/gen_corpus.rs (cached under
# target/bench/c<N> until the generator, schema or Hugo layouts change), then measures the
# median of BENCH_RUNS (default 5) runs of: casebook full build, full build with --no-search,
# no-op rebuild, one-entry incremental rebuild, peak RSS, output size, the floor (writing the
# same output tree again, file by file: examples/bench_floor.rs), and the same Hugo site.
# The Markdown table goes to stdout and to target/bench/results-<date>.md; progress and
# problems go to stderr. Missing tools are reported and their columns read "n/a".
#
# Environment: BENCH_OUT (where the sites are built, default target/bench/out; /dev/shm puts
# them on tmpfs, which leaves out the file system's own costs), BENCH_PROFILE (the cargo
# profile casebook is built with, default dist: see Cargo.toml), BENCH_RUNS (default 5),
# BENCH_HUGO_MAX (largest size Hugo is run on, default 20000: on the 2-core box Hugo took
# about a minute and 1.1 GiB per 10,000 entries and grows faster than linearly, so 100,000
# means well over an hour for the seven builds).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/target/bench
RUNS=${BENCH_RUNS:-5}
# The cargo profile casebook is measured in: `dist` (Cargo.toml) is the distributed build.
PROFILE=${BENCH_PROFILE:-dist}
HUGO_MAX=${BENCH_HUGO_MAX:-20000}
CASEBOOK=$ROOT/target/$PROFILE/casebook
GNU_TIME=/usr/bin/time

note() { printf 'bench: %s\n' "$*" >&2; }
die() { note "error: $*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
for n in "${sizes[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "size must be a positive whole number, got '$n'"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive whole number"

OUT=${BENCH_OUT:-$BENCH/out}
mkdir -p "$BENCH/logs" "$BENCH/timings" "$OUT"

# --- tools -----------------------------------------------------------------------------------

have cargo || die "cargo not found; it is needed to build the corpus generator and casebook"

HAVE_HYPERFINE=false
if have hyperfine; then HAVE_HYPERFINE=true
else note "hyperfine not found (apt-get install hyperfine): timing with a shell loop instead"
fi

HAVE_GNU_TIME=false
if [ -x "$GNU_TIME" ] && "$GNU_TIME" -v true >/dev/null 2>&1; then HAVE_GNU_TIME=true
else note "GNU time not found at $GNU_TIME (apt-get install time): peak RSS reads n/a"
fi

HAVE_HUGO=false
if have hugo; then HAVE_HUGO=true
else note "hugo not found (apt-get install hugo): Hugo columns read n/a"
fi

# --- builds ----------------------------------------------------------------------------------

# The generator uses only std, so when the crate is mid-edit plain rustc still builds it.
GEN=$ROOT/target/release/examples/gen_corpus
note "building the corpus generator"
if ! (cd "$ROOT" && cargo build --release --quiet --example gen_corpus) \
        >"$BENCH/logs/build-gen_corpus.log" 2>&1; then
    note "cargo could not build the generator (see $BENCH/logs/build-gen_corpus.log);" \
         "building it with rustc alone"
    GEN=$BENCH/gen_corpus
    rustc --edition 2021 -O "$ROOT/examples/gen_corpus.rs" -o "$GEN" \
        || die "rustc could not build examples/gen_corpus.rs either"
fi

HAVE_CASEBOOK=false
CASEBOOK_WHY="n/a"
note "building casebook (cargo build --profile $PROFILE)"
if (cd "$ROOT" && cargo build --profile "$PROFILE" --quiet) >"$BENCH/logs/build-casebook.log" 2>&1 \
        && [ -x "$CASEBOOK" ]; then
    HAVE_CASEBOOK=true
else
    CASEBOOK_WHY="n/a (build failed)"
    note "casebook does not build (see $BENCH/logs/build-casebook.log): its columns read n/a"
fi

# build_example NAME WHAT: builds examples/NAME.rs in casebook's profile; fails, with a note that
# the WHAT column reads n/a, when casebook or the example does not build.
build_example() {
    $HAVE_CASEBOOK || return 1
    if (cd "$ROOT" && cargo build --profile "$PROFILE" --quiet --example "$1") \
            >"$BENCH/logs/build-$1.log" 2>&1; then
        return 0
    fi
    note "examples/$1 does not build (see $BENCH/logs/build-$1.log): $2 reads n/a"
    return 1
}

# The one-entry rebuild of `serve`, measured by examples/bench_incremental.rs.
INCREMENTAL=$ROOT/target/$PROFILE/examples/bench_incremental
HAVE_INCREMENTAL=false
build_example bench_incremental incremental && HAVE_INCREMENTAL=true

# The floor: writing a built site's files again, file by file (examples/bench_floor.rs).
FLOOR=$ROOT/target/$PROFILE/examples/bench_floor
HAVE_FLOOR=false
build_example bench_floor floor && HAVE_FLOOR=true

# --- corpus ----------------------------------------------------------------------------------

# Anything that changes the generated files invalidates the cached corpora.
corpus_stamp() {
    {
        cat "$ROOT/examples/gen_corpus.rs" "$ROOT/content/site.yaml"
        find "$ROOT/benches/hugo/layouts" -type f -print0 | LC_ALL=C sort -z | xargs -0 cat
    } | cksum
}

# ensure_corpus N: generates target/bench/cN and target/bench/cN-hugo unless up to date.
ensure_corpus() {
    local n=$1 dir=$BENCH/c$1 hugo=$BENCH/c$1-hugo stamp
    stamp=$(corpus_stamp)
    if [ -f "$dir/.bench-stamp" ] && [ "$(cat "$dir/.bench-stamp")" = "$stamp" ]; then
        note "corpus c$n is up to date"
        return
    fi
    note "generating corpus c$n"
    rm -rf "$dir" "$hugo"
    "$GEN" "$n" "$dir" --hugo "$hugo" 2>"$BENCH/logs/gen-c$n.log" \
        || die "generating c$n failed (see $BENCH/logs/gen-c$n.log)"
    printf '%s\n' "$stamp" >"$dir/.bench-stamp"
}

# --- measuring -------------------------------------------------------------------------------

# measure NAME PREPARE WARMUP COMMAND: prints the median wall time in seconds, or "failed".
# PREPARE runs before every timed run (empty for none); WARMUP is the number of untimed runs.
measure() {
    local name=$1 prepare=$2 warmup=$3 cmd=$4 log=$BENCH/logs/$1.log
    if $HAVE_HYPERFINE; then
        local args=(--runs "$RUNS" --warmup "$warmup" --style basic
                    --export-json "$BENCH/timings/$name.json"
                    --export-csv "$BENCH/timings/$name.csv")
        [ -n "$prepare" ] && args+=(--prepare "$prepare")
        if hyperfine "${args[@]}" "$cmd" >"$log" 2>&1; then
            # CSV columns: command,mean,stddev,median,...; the command may not contain commas.
            awk -F, 'NR == 2 { print $(NF - 4) }' "$BENCH/timings/$name.csv"
        else
            note "$name failed (see $log)"
            echo failed
        fi
    else
        measure_loop "$prepare" "$warmup" "$cmd" >"$log" 2>&1 \
            && tail -n 1 "$log" || { note "$name failed (see $log)"; echo failed; }
    fi
}

# The shell command that removes an output folder and the spare casebook keeps beside it.
fresh() {
    printf "rm -rf '%s' '%s'" "$1" "$(dirname "$1")/.$(basename "$1").casebook-spare"
}

# The fallback when hyperfine is missing: times each run with date and prints the median.
measure_loop() {
    local prepare=$1 warmup=$2 cmd=$3 i start end times=()
    for ((i = 0; i < warmup; i++)); do
        [ -z "$prepare" ] || bash -c "$prepare" || return 1
        bash -c "$cmd" >/dev/null || return 1
    done
    for ((i = 0; i < RUNS; i++)); do
        [ -z "$prepare" ] || bash -c "$prepare" || return 1
        start=$(date +%s%N)
        bash -c "$cmd" >/dev/null || return 1
        end=$(date +%s%N)
        times+=("$(awk -v ns=$((end - start)) 'BEGIN { printf "%.6f", ns / 1e9 }')")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{ t[NR] = $1 }
        END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

# peak_rss NAME OUTPUT_DIR COMMAND...: empties OUTPUT_DIR, runs COMMAND once under GNU time
# (directly, not through a shell) and prints its maximum resident set size in MiB.
peak_rss() {
    local name=$1 out=$2 log=$BENCH/logs/$1-rss.log
    shift 2
    $HAVE_GNU_TIME || { echo "n/a"; return; }
    rm -rf "$out"
    if "$GNU_TIME" -v "$@" >"$log" 2>&1; then
        awk -F': ' '/Maximum resident set size/ { printf "%.0f MiB", $2 / 1024 }' "$log"
    else
        note "$name (peak RSS run) failed (see $log)"
        echo failed
    fi
}

output_size() {
    [ -d "$1" ] || { echo "n/a"; return; }
    du -sb "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'
}

# Seconds as "850 ms" or "2.41 s"; anything else passes through.
fmt_time() {
    awk -v t="$1" 'BEGIN {
        if (t !~ /^[0-9.]+$/) print t
        else if (t < 1) printf "%.0f ms", t * 1000
        else printf "%.2f s", t }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b
        else print "n/a" }'
}

# --- one size --------------------------------------------------------------------------------

# bench_size N: measures everything for one corpus and prints its table row.
bench_size() {
    local n=$1 dir=$BENCH/c$1 hugo_dir=$BENCH/c$1-hugo
    local out=$OUT/c$1 out_ns=$OUT/c$1-nosearch hugo_out=$OUT/c$1-hugo
    local full=$CASEBOOK_WHY nosearch=$CASEBOOK_WHY noop=$CASEBOOK_WHY incr=$CASEBOOK_WHY
    local rss=$CASEBOOK_WHY size=$CASEBOOK_WHY floor="n/a"
    local hugo_full="n/a" hugo_rss="n/a" hugo_size="n/a"
    ensure_corpus "$n"

    if $HAVE_CASEBOOK; then
        local build="'$CASEBOOK' build --root '$dir' --output '$out'"
        note "c$n: casebook full build"
        # A fresh build: no output and no spare beside it (casebook writes a rebuild into the
        # spare, see README), so nothing of an earlier build is reused.
        full=$(measure "c$n-casebook-full" "$(fresh "$out")" 1 "$build")
        note "c$n: casebook full build --no-search"
        nosearch=$(measure "c$n-casebook-nosearch" "$(fresh "$out_ns")" 1 \
            "'$CASEBOOK' build --no-search --root '$dir' --output '$out_ns'")
        note "c$n: casebook no-op rebuild"
        noop=$(measure "c$n-casebook-noop" "" 1 "$build")
        incr="n/a"
        if $HAVE_INCREMENTAL; then
            note "c$n: one-entry incremental rebuild (examples/bench_incremental, on a copy)"
            rm -rf "$BENCH/incr-c$n" && cp -r "$dir" "$BENCH/incr-c$n"
            if "$INCREMENTAL" "$BENCH/incr-c$n" 11 >"$BENCH/logs/c$n-incremental.log" 2>&1
            then
                incr=$(sed -n 's/^one-entry incremental rebuild[^:]*: median \([0-9.]* ms\).*/\1/p' "$BENCH/logs/c$n-incremental.log")
                [ -n "$incr" ] || { incr=unreadable; note "no median in $BENCH/logs/c$n-incremental.log"; }
            else incr=failed; note "bench_incremental failed (see $BENCH/logs/c$n-incremental.log)"
            fi
            rm -rf "$BENCH/incr-c$n"
        fi
        note "c$n: casebook peak RSS"
        rss=$(peak_rss "c$n-casebook" "$out" "$CASEBOOK" build --root "$dir" --output "$out")
        size=$(output_size "$out")
        if $HAVE_FLOOR; then
            note "c$n: the floor (writing the same output again, file by file)"
            if "$FLOOR" "$out" "$RUNS" >"$BENCH/logs/c$n-floor.log" 2>&1; then
                floor=$(sed -n 's/^floor:.*median \([0-9.]*\) ms.*/\1/p' "$BENCH/logs/c$n-floor.log" \
                    | awk '{ printf "%.6f", $1 / 1000 }')
                [ -n "$floor" ] || { floor=unreadable; note "no median in $BENCH/logs/c$n-floor.log"; }
            else floor=failed; note "bench_floor failed (see $BENCH/logs/c$n-floor.log)"
            fi
        fi
    fi

    if $HAVE_HUGO && [ "$n" -gt "$HUGO_MAX" ]; then
        note "c$n: skipping Hugo above BENCH_HUGO_MAX=$HUGO_MAX (it would take over an hour;" \
             "set BENCH_HUGO_MAX=$n to run it anyway)"
        hugo_full="skipped (> BENCH_HUGO_MAX)"
    elif $HAVE_HUGO; then
        local hugo_build="hugo --quiet -s '$hugo_dir' -d '$hugo_out'"
        note "c$n: Hugo full build"
        hugo_full=$(measure "c$n-hugo-full" "rm -rf '$hugo_out'" 1 "$hugo_build")
        note "c$n: Hugo peak RSS"
        hugo_rss=$(peak_rss "c$n-hugo" "$hugo_out" hugo --quiet -s "$hugo_dir" -d "$hugo_out")
        hugo_size=$(output_size "$hugo_out")
    fi

    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$n" "$(fmt_time "$full")" "$(fmt_time "$nosearch")" "$(fmt_time "$noop")" "$incr" \
        "$rss" "$size" "$(fmt_time "$floor")" "$(ratio "$full" "$floor")" \
        "$(fmt_time "$hugo_full")" "$hugo_rss" "$hugo_size" "$(ratio "$full" "$hugo_full")"
}

# --- report ----------------------------------------------------------------------------------

machine() {
    local cpu
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
    printf '%s, %s cores, %s' "${cpu:-unknown CPU}" "$(nproc)" \
        "$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo 2>/dev/null)"
}

header() {
    local hugo_version="not installed" commit
    $HAVE_HUGO && hugo_version=$(hugo version | awk '{ print $2 }')
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
    cat <<EOF
# casebook benchmark, $(date '+%Y-%m-%d %H:%M')

- machine: $(machine); load before start: $(cut -d' ' -f1-3 /proc/loadavg)
- casebook: commit $commit$(git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || echo " (with local changes)"), cargo profile \`$PROFILE\`; Hugo $hugo_version
- median of $RUNS runs (one warm-up) via $($HAVE_HYPERFINE && echo hyperfine || echo "a shell loop"); full builds start from an empty output directory
- corpus: examples/gen_corpus.rs (~350 words per entry, 6 facets, 2–4 references); Hugo site with equivalent templates (benches/hugo/layouts), related content with cardinalityThreshold 5 (as casebook prunes terms used by more than 5 % of entries)
- floor: examples/bench_floor.rs writes the full build's output again, file by file, on rayon's threads (median of $RUNS); full/floor is the full build against it
- built into $OUT ($(df --output=fstype "$OUT" 2>/dev/null | tail -1)); peak RSS: one full build under GNU time; output: \`du -sb\` of the output directory

| entries | casebook full | full --no-search | no-op rebuild | 1-entry incremental | peak RSS | output | floor | full/floor | Hugo full | Hugo peak RSS | Hugo output | casebook/Hugo |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
}

results=$BENCH/results-$(date +%F).md
{
    header
    for n in "${sizes[@]}"; do
        bench_size "$n"
    done
} | tee "$results"
note "results written to $results"
