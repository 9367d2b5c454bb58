#!/usr/bin/env bash
# Regenerates the TA-Lib reference data in tests/reference/data/ (see README.md).
#
# Downloads the TA-Lib C source bundled in the npm package talib@2.0.5 into a temp dir,
# compiles it with gen_reference.c, and writes:
#   data/finance.csv            (converted from gnuplot-doc's examples/finance.dat)
#   data/random_walk.csv        (synthetic bars, fixed seed)
#   data/finance_talib.csv      (TA-Lib outputs for finance.csv)
#   data/random_walk_talib.csv  (TA-Lib outputs for random_walk.csv)
#   data/<name>_scaled_<f>.csv, data/<name>_scaled_<f>_talib.csv  for f in 1e-6, 1e6:
#                               the same bars with prices times f (volume as is), and TA-Lib's
#                               outputs for them
# Needs: npm (registry access), gcc, awk, tar, sha256sum. Not run by CI.
#
# Environment:
#   FINANCE_DAT  path of finance.dat (default: gnuplot-doc's copy). If the file is missing,
#                the committed data/finance.csv is kept and only the TA-Lib outputs are redone.
#   CC           C compiler (default gcc)
set -euo pipefail

cd "$(dirname "$0")"
here="$(pwd)"
data="$here/data"
mkdir -p "$data"

TALIB_NPM="talib@2.0.5"
TALIB_TGZ="talib-2.0.5.tgz"
TALIB_SHA256="b73e2a382d0937e7a9e889c6e1285d811747b3a78365f325493889cb7b302cde"
CC="${CC:-gcc}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# ---- 1. TA-Lib source (never committed) ------------------------------------------------------
echo "== fetching $TALIB_NPM" >&2
(cd "$tmp" && npm pack "$TALIB_NPM" --silent >/dev/null)
echo "$TALIB_SHA256  $tmp/$TALIB_TGZ" | sha256sum -c --quiet -
tar -xzf "$tmp/$TALIB_TGZ" -C "$tmp"
ta="$tmp/package/src/lib"
[[ -f "$ta/include/ta_libc.h" ]] || { echo "unexpected tarball layout" >&2; exit 1; }

# ---- 2. build ---------------------------------------------------------------------------------
echo "== compiling TA-Lib (ta_func + ta_common) with $CC -O2" >&2
mkdir -p "$tmp/obj"
for src in "$ta"/src/ta_func/*.c "$ta"/src/ta_common/*.c; do
    "$CC" -O2 -w -I"$ta/include" -I"$ta/src/ta_common" -I"$ta/src/ta_func" \
        -c "$src" -o "$tmp/obj/$(basename "$src" .c).o"
done
"$CC" -O2 -std=c99 -Wall -Wextra -I"$ta/include" gen_reference.c "$tmp"/obj/*.o -lm \
    -o "$tmp/gen_reference"

# ---- 3. input bars ----------------------------------------------------------------------------
finance_dat="${FINANCE_DAT:-/usr/share/doc/gnuplot/examples/finance.dat}"
if [[ ! -f "$finance_dat" && -f "$finance_dat.gz" ]]; then
    gzip -dc "$finance_dat.gz" >"$tmp/finance.dat"
    finance_dat="$tmp/finance.dat"
fi
if [[ -f "$finance_dat" ]]; then
    echo "== converting $finance_dat" >&2
    # finance.dat: date(M/D/YYYY) open high low close volume vol_ma50 intraday_intensity
    #              sma20 upper_band lower_band   (tab separated, John Bollinger's file)
    # Bollinger's bands are 0 during the 20-day warm-up: written as empty cells (no value).
    awk -F'\t' '
        BEGIN { OFS = ","; print "time,open,high,low,close,volume,bb_middle_ref,bb_upper_ref,bb_lower_ref" }
        { sub(/\r$/, "") }
        NF == 0 { next }
        NF != 11 { printf "finance.dat line %d: %d fields\n", NR, NF > "/dev/stderr"; exit 1 }
        {
            split($1, d, "/")
            t = sprintf("%04d-%02d-%02dT00:00:00Z", d[3], d[1], d[2])
            m = ($9 + 0 == 0) ? "" : $9
            u = ($10 + 0 == 0) ? "" : $10
            l = ($11 + 0 == 0) ? "" : $11
            print t, $2, $3, $4, $5, $6, m, u, l
        }' "$finance_dat" >"$tmp/finance.csv"
    mv "$tmp/finance.csv" "$data/finance.csv"
else
    echo "warning: $finance_dat not found (apt-get install gnuplot-doc); keeping committed data/finance.csv" >&2
    [[ -f "$data/finance.csv" ]] || exit 1
fi

echo "== generating random_walk.csv" >&2
"$tmp/gen_reference" random-walk "$tmp/random_walk.csv"
mv "$tmp/random_walk.csv" "$data/random_walk.csv"

# ---- 4. scaled bars: prices times 1e-6 and 1e6, volume unchanged ------------------------------
scaled=()
for name in finance random_walk; do
    for factor in 1e-6 1e6; do
        echo "== scaling $name.csv prices by $factor" >&2
        "$tmp/gen_reference" scale "$data/$name.csv" "$tmp/${name}_scaled_$factor.csv" "$factor"
        mv "$tmp/${name}_scaled_$factor.csv" "$data/${name}_scaled_$factor.csv"
        scaled+=("${name}_scaled_$factor")
    done
done

# ---- 5. TA-Lib outputs ------------------------------------------------------------------------
for name in finance random_walk "${scaled[@]}"; do
    echo "== TA-Lib indicators for $name.csv (candlestick hit counts below)" >&2
    "$tmp/gen_reference" indicators "$data/$name.csv" "$tmp/${name}_talib.csv"
    mv "$tmp/${name}_talib.csv" "$data/${name}_talib.csv"
done

wc -l "$data"/*.csv >&2
