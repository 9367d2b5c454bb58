/*
 * gen_reference.c - reference indicator values computed by TA-Lib itself.
 *
 * Built and run by tests/reference/generate.sh, which downloads the TA-Lib C source
 * (bundled in the npm package talib@2.0.5) to a temp dir and links this file against it.
 * Nothing of TA-Lib is checked into this repository.
 *
 * Usage:
 *   gen_reference random-walk OUT.csv
 *       Writes 2000 synthetic daily bars (time,open,high,low,close,volume) from a
 *       fixed-seed xorshift64* PRNG (seed 42).
 *   gen_reference indicators IN.csv OUT.csv
 *       Reads bars (columns time,open,high,low,close,volume, found by header name),
 *       runs the TA-Lib functions listed in tests/reference/README.md and writes one wide
 *       CSV: time, then one column per output. An empty cell means TA-Lib gives no value
 *       for that bar (index < outBegIdx). Reals are written with %.17g, so every double
 *       reads back exactly. Candlestick hit counts go to stderr.
 *   gen_reference scale IN.csv OUT.csv FACTOR
 *       Writes the bars of IN.csv with open, high, low and close multiplied by FACTOR
 *       (volume unchanged), all with %.17g: the exact doubles the tests and TA-Lib then read.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_libc.h"

/* ------------------------------------------------------------------------------------------ */
/* Utilities                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static void die(const char* msg, const char* detail) {
    fprintf(stderr, "gen_reference: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void* xcalloc(size_t n, size_t size) {
    void* p = calloc(n ? n : 1, size);
    if (!p) die("out of memory", NULL);
    return p;
}

static char* xstrdup(const char* s) {
    char* p = xcalloc(strlen(s) + 1, 1);
    strcpy(p, s);
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* PRNG: xorshift64* (Vigna), fixed seed                                                     */
/* ------------------------------------------------------------------------------------------ */

static uint64_t rng_state = 42;

static uint64_t rng_next(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

/* uniform in [0, 1) with 53 random bits */
static double rng_uniform(void) { return (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0); }

/* standard normal, Box-Muller (no caching, so the sequence only depends on call order) */
static double rng_normal(void) {
    double u1 = rng_uniform();
    double u2 = rng_uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ------------------------------------------------------------------------------------------ */
/* Synthetic bars                                                                             */
/* ------------------------------------------------------------------------------------------ */

#define RW_BARS 2000

typedef struct {
    double o, h, l, c, v;
} Bar;

static double round6(double x) { return floor(x * 1e6 + 0.5) / 1e6; }

static Bar make_bar(double o, double c, double upper_shadow, double lower_shadow, double v) {
    Bar b;
    b.o = o;
    b.c = c;
    b.h = (o > c ? o : c) + upper_shadow;
    b.l = (o < c ? o : c) - lower_shadow;
    b.v = v;
    return b;
}

static double base_volume(void) {
    double v = 1.0e6 * exp(0.35 * rng_normal());
    if (rng_uniform() < 0.04) v *= 3.0 + 3.0 * rng_uniform(); /* occasional spike */
    return v;
}

/*
 * Candlestick templates. `p` is the previous close, `a` the unit body size (about the average
 * real body of the random bars, 1% of price). Each template writes `*n` bars into out[].
 * The shapes follow TA-Lib's definitions with its default CandleSettings (averages of the
 * preceding 10 (body, shadow) or 5 (near/far) bars).
 */
enum {
    T_BULL_ENGULF,
    T_BEAR_ENGULF,
    T_HAMMER,
    T_HANGINGMAN,
    T_MORNINGSTAR,
    T_EVENINGSTAR,
    T_3WHITE,
    T_3BLACK,
    T_BULL_HARAMI,
    T_BEAR_HARAMI,
    T_PIERCING,
    T_DARKCLOUD,
    T_COUNT
};

static int make_template(int kind, double p, double a, Bar* out) {
    double j = 1.0 + 0.2 * (rng_uniform() - 0.5); /* jitter the sizes a little */
    double v = base_volume();
    double o, c;
    /* the first bar opens near (never exactly at) the previous close: an exact match would make
     * TA-Lib's engulfing/harami return +-80 instead of +-100 */
    p *= 1.0 + 0.002 * rng_normal();
    switch (kind) {
        case T_BULL_ENGULF:
            out[0] = make_bar(p, p - 1.0 * a * j, 0.3 * a, 0.3 * a, v);
            o = out[0].c - 0.3 * a;
            out[1] = make_bar(o, out[0].o + 0.5 * a * j, 0.3 * a, 0.3 * a, v * 1.5);
            return 2;
        case T_BEAR_ENGULF:
            out[0] = make_bar(p, p + 1.0 * a * j, 0.3 * a, 0.3 * a, v);
            o = out[0].c + 0.3 * a;
            out[1] = make_bar(o, out[0].o - 0.5 * a * j, 0.3 * a, 0.3 * a, v * 1.5);
            return 2;
        case T_HAMMER: /* down bar, then small body at its low with a long lower shadow */
            out[0] = make_bar(p, p - 1.5 * a * j, 0.1 * a, 0.2 * a, v);
            o = out[0].c - 0.1 * a;
            c = o + (rng_uniform() < 0.5 ? 0.15 : -0.15) * a;
            out[1] = make_bar(o, c, 0.02 * a, 2.5 * a * j, v * 1.3);
            return 2;
        case T_HANGINGMAN: /* up bar, then small body at its high with a long lower shadow */
            out[0] = make_bar(p, p + 1.5 * a * j, 0.2 * a, 0.1 * a, v);
            o = out[0].c + 0.1 * a;
            c = o + (rng_uniform() < 0.5 ? 0.15 : -0.15) * a;
            out[1] = make_bar(o, c, 0.02 * a, 2.5 * a * j, v * 1.3);
            return 2;
        case T_MORNINGSTAR:
            out[0] = make_bar(p, p - 2.5 * a * j, 0.2 * a, 0.2 * a, v);
            o = out[0].c - 0.5 * a;
            out[1] = make_bar(o, o - 0.2 * a, 0.3 * a, 0.3 * a, v * 0.8);
            o = out[1].o + 0.2 * a;
            out[2] = make_bar(o, out[0].c + 0.6 * (out[0].o - out[0].c), 0.2 * a, 0.2 * a, v * 1.4);
            return 3;
        case T_EVENINGSTAR:
            out[0] = make_bar(p, p + 2.5 * a * j, 0.2 * a, 0.2 * a, v);
            o = out[0].c + 0.5 * a;
            out[1] = make_bar(o, o + 0.2 * a, 0.3 * a, 0.3 * a, v * 0.8);
            o = out[1].o - 0.2 * a;
            out[2] = make_bar(o, out[0].c - 0.6 * (out[0].c - out[0].o), 0.2 * a, 0.2 * a, v * 1.4);
            return 3;
        case T_3WHITE: /* three white bars, each opening inside the previous body, tiny upper shadows */
            out[0] = make_bar(p, p + 1.5 * a * j, 0.03 * a, 0.3 * a, v);
            o = out[0].c - 0.5 * a;
            out[1] = make_bar(o, o + 1.6 * a * j, 0.03 * a, 0.3 * a, v * 1.1);
            o = out[1].c - 0.5 * a;
            out[2] = make_bar(o, o + 1.7 * a * j, 0.03 * a, 0.3 * a, v * 1.2);
            return 3;
        case T_3BLACK: /* a white bar, then three black bars with tiny lower shadows */
            out[0] = make_bar(p, p + 1.0 * a * j, 0.3 * a, 0.2 * a, v);
            o = out[0].c - 0.1 * a;
            out[1] = make_bar(o, o - 1.5 * a * j, 0.3 * a, 0.03 * a, v * 1.1);
            o = out[1].c + 0.4 * a;
            out[2] = make_bar(o, o - 1.6 * a * j, 0.3 * a, 0.03 * a, v * 1.2);
            o = out[2].c + 0.4 * a;
            out[3] = make_bar(o, o - 1.7 * a * j, 0.3 * a, 0.03 * a, v * 1.3);
            return 4;
        case T_BULL_HARAMI: /* long black, then a small body inside it */
            out[0] = make_bar(p, p - 2.5 * a * j, 0.2 * a, 0.2 * a, v);
            o = out[0].c + 0.8 * a;
            out[1] = make_bar(o, o + 0.4 * a, 0.3 * a, 0.3 * a, v * 0.7);
            return 2;
        case T_BEAR_HARAMI:
            out[0] = make_bar(p, p + 2.5 * a * j, 0.2 * a, 0.2 * a, v);
            o = out[0].c - 0.8 * a;
            out[1] = make_bar(o, o - 0.4 * a, 0.3 * a, 0.3 * a, v * 0.7);
            return 2;
        case T_PIERCING: /* long black, then long white opening below its low, closing above mid */
            out[0] = make_bar(p, p - 2.0 * a * j, 0.2 * a, 0.3 * a, v);
            o = out[0].l - 0.3 * a;
            out[1] = make_bar(o, out[0].c + 0.7 * (out[0].o - out[0].c), 0.2 * a, 0.2 * a, v * 1.3);
            return 2;
        case T_DARKCLOUD: /* long white, then black opening above its high, closing below mid */
            out[0] = make_bar(p, p + 2.0 * a * j, 0.3 * a, 0.2 * a, v);
            o = out[0].h + 0.3 * a;
            out[1] = make_bar(o, out[0].c - 0.7 * (out[0].c - out[0].o), 0.2 * a, 0.2 * a, v * 1.3);
            return 2;
    }
    return 0;
}

static void write_random_walk(const char* path) {
    Bar* bars = xcalloc(RW_BARS + 8, sizeof(Bar));
    double prev_close = 100.0;
    double drift = 0.0;
    int trend_left = 0;
    int next_template = 0;
    int n = 0;
    while (n < RW_BARS) {
        /* inject a candlestick template now and then (never in the first 30 bars) */
        if (n >= 30 && rng_uniform() < 0.06) {
            Bar tmp[8];
            int kind = next_template++ % T_COUNT; /* round robin: every pattern gets its share */
            int k = make_template(kind, prev_close, 0.01 * prev_close, tmp);
            for (int t = 0; t < k && n < RW_BARS; ++t) bars[n++] = tmp[t];
            prev_close = bars[n - 1].c;
            continue;
        }
        /* trend runs: start one now and then, drift +-0.3%/day for 10..40 bars */
        if (trend_left == 0 && rng_uniform() < 0.03) {
            trend_left = 10 + (int)(rng_uniform() * 31);
            drift = (rng_uniform() < 0.5 ? -1.0 : 1.0) * 0.003;
        }
        double d = 0.0;
        if (trend_left > 0) {
            d = drift;
            --trend_left;
        }
        /* weak pull back towards 100 so 2000 bars stay in a sane price range */
        d -= 0.002 * log(prev_close / 100.0);

        double o;
        double v = base_volume();
        if (rng_uniform() < 0.03) { /* gap */
            double g = 0.015 + 0.025 * rng_uniform();
            o = prev_close * (1.0 + (rng_uniform() < 0.5 ? -g : g));
            v *= 2.0;
        } else {
            o = prev_close * (1.0 + 0.002 * rng_normal());
        }
        double c = prev_close * exp(d + 0.012 * rng_normal());
        double hi_shadow = fabs(rng_normal()) * 0.006 * prev_close;
        double lo_shadow = fabs(rng_normal()) * 0.006 * prev_close;
        bars[n++] = make_bar(o, c, hi_shadow, lo_shadow, v);
        prev_close = c;
    }

    FILE* f = fopen(path, "w");
    if (!f) die("cannot open for writing", path);
    fprintf(f, "time,open,high,low,close,volume\n");
    const long long day0 = 16436; /* 2015-01-01 as days since 1970-01-01 */
    for (int i = 0; i < RW_BARS; ++i) {
        Bar b = bars[i];
        b.o = round6(b.o);
        b.c = round6(b.c);
        b.h = round6(b.h);
        b.l = round6(b.l);
        if (b.h < b.o || b.h < b.c || b.l > b.o || b.l > b.c || b.l <= 0.0 || b.v < 1.0)
            die("generated an invalid bar", NULL);
        /* civil date from days since epoch (Howard Hinnant's algorithm) */
        long long z = day0 + i + 719468;
        long long era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned)(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long long y = (long long)yoe + era * 400;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned dd = doy - (153 * mp + 2) / 5 + 1;
        unsigned mm = mp < 10 ? mp + 3 : mp - 9;
        if (mm <= 2) ++y;
        fprintf(f, "%04lld-%02u-%02uT00:00:00Z,%.6f,%.6f,%.6f,%.6f,%.0f\n", y, mm, dd, b.o, b.h, b.l,
                b.c, floor(b.v + 0.5));
    }
    fclose(f);
    free(bars);
}

/* ------------------------------------------------------------------------------------------ */
/* CSV input                                                                                  */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    int n;
    char** time;
    double *open, *high, *low, *close, *volume;
} Input;

static int split(char* line, char** fields, int max) {
    int k = 0;
    char* s = line;
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r')) s[--len] = 0;
    for (;;) {
        if (k < max) fields[k++] = s;
        char* comma = strchr(s, ',');
        if (!comma) break;
        *comma = 0;
        s = comma + 1;
    }
    return k;
}

static Input read_input(const char* path) {
    FILE* f = fopen(path, "r");
    if (!f) die("cannot open", path);
    static char line[65536];
    char* fields[64];
    if (!fgets(line, sizeof line, f)) die("empty file", path);
    int nf = split(line, fields, 64);
    const char* want[6] = {"time", "open", "high", "low", "close", "volume"};
    int idx[6];
    for (int w = 0; w < 6; ++w) {
        idx[w] = -1;
        for (int k = 0; k < nf; ++k)
            if (strcmp(fields[k], want[w]) == 0) idx[w] = k;
        if (idx[w] < 0) die("missing column", want[w]);
    }
    int cap = 1024;
    Input in;
    memset(&in, 0, sizeof in);
    in.time = xcalloc(cap, sizeof(char*));
    double** cols[5] = {&in.open, &in.high, &in.low, &in.close, &in.volume};
    for (int w = 0; w < 5; ++w) *cols[w] = xcalloc(cap, sizeof(double));
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == '\r' || line[0] == 0) continue;
        nf = split(line, fields, 64);
        if (in.n == cap) {
            cap *= 2;
            in.time = realloc(in.time, cap * sizeof(char*));
            if (!in.time) die("out of memory", NULL);
            for (int w = 0; w < 5; ++w) {
                *cols[w] = realloc(*cols[w], cap * sizeof(double));
                if (!*cols[w]) die("out of memory", NULL);
            }
        }
        for (int w = 0; w < 6; ++w)
            if (idx[w] >= nf) die("short row in", path);
        in.time[in.n] = xstrdup(fields[idx[0]]);
        for (int w = 0; w < 5; ++w) {
            char* end = NULL;
            (*cols[w])[in.n] = strtod(fields[idx[w + 1]], &end);
            if (end == fields[idx[w + 1]] || *end) die("bad number in", path);
        }
        ++in.n;
    }
    fclose(f);
    return in;
}

/* ------------------------------------------------------------------------------------------ */
/* Output columns                                                                             */
/* ------------------------------------------------------------------------------------------ */

#define MAX_COLS 128

typedef struct {
    const char* name;
    double* v; /* NaN = no value */
    int is_int;
} Column;

static Column cols[MAX_COLS];
static int ncols = 0;
static int N = 0; /* bars */

static double* new_column(const char* name, int is_int) {
    if (ncols == MAX_COLS) die("too many columns", name);
    for (int k = 0; k < ncols; ++k)
        if (strcmp(cols[k].name, name) == 0) die("duplicate column", name);
    double* v = xcalloc(N, sizeof(double));
    for (int i = 0; i < N; ++i) v[i] = NAN;
    cols[ncols].name = name;
    cols[ncols].v = v;
    cols[ncols].is_int = is_int;
    ++ncols;
    return v;
}

static double* scratch(void) { return xcalloc(N, sizeof(double)); }

static void check(TA_RetCode rc, const char* what) {
    if (rc != TA_SUCCESS) {
        TA_RetCodeInfo info;
        TA_SetRetCodeInfo(rc, &info);
        fprintf(stderr, "gen_reference: %s failed: %s (%s)\n", what, info.enumStr, info.infoStr);
        exit(1);
    }
}

/* Copy out[0..nb) to column bars offset+beg .. */
static void place(double* dst, const double* out, int offset, int beg, int nb) {
    for (int k = 0; k < nb; ++k) dst[offset + beg + k] = out[k];
}

/* Real-valued function of one input, one output, by the usual TA-Lib calling convention. */
#define CALL1(colname, call_expr)                                              \
    do {                                                                       \
        double* out_ = scratch();                                              \
        int beg_ = 0, nb_ = 0;                                                 \
        double* o = out_;                                                      \
        check(call_expr, colname);                                             \
        place(new_column(colname, 0), out_, 0, beg_, nb_);                     \
        free(out_);                                                            \
    } while (0)

/* EMA(period) over src[from..N-1], placed back at bar from+outBegIdx.. */
static void ema_tail(const char* name, const double* src, int from, int period) {
    double* dst = new_column(name, 0);
    if (from < 0 || from >= N) return;
    double* out = scratch();
    int beg = 0, nb = 0;
    check(TA_EMA(0, N - 1 - from, src + from, period, &beg, &nb, out), name);
    place(dst, out, from, beg, nb);
    free(out);
}

/* Call the TA-Lib function first: outBegIdx/outNBElement must be read after it returns. */
static void cdl(const char* name, const int* out, int beg, int nb) {
    double* dst = new_column(name, 1);
    for (int k = 0; k < nb; ++k) dst[beg + k] = out[k];
}

static void compute(const Input* in) {
    const double *op = in->open, *hi = in->high, *lo = in->low, *cl = in->close, *vo = in->volume;
    const int e = N - 1;
    int beg_, nb_;
    double *o, *o2, *o3;
    char buf[64];

    /* ---- moving averages ---- */
    static const int sma_p[] = {5, 20, 34, 50, 200};
    for (unsigned k = 0; k < sizeof sma_p / sizeof *sma_p; ++k) {
        snprintf(buf, sizeof buf, "sma_%d", sma_p[k]);
        CALL1(xstrdup(buf), TA_SMA(0, e, cl, sma_p[k], &beg_, &nb_, o));
    }
    {
        double* med = scratch();
        for (int i = 0; i < N; ++i) med[i] = (hi[i] + lo[i]) / 2.0;
        CALL1("median_sma_5", TA_SMA(0, e, med, 5, &beg_, &nb_, o));
        CALL1("median_sma_34", TA_SMA(0, e, med, 34, &beg_, &nb_, o));
        free(med);
    }
    static const int ema_p[] = {8, 12, 13, 20, 21, 26, 34, 55, 89};
    for (unsigned k = 0; k < sizeof ema_p / sizeof *ema_p; ++k) {
        snprintf(buf, sizeof buf, "ema_%d", ema_p[k]);
        CALL1(xstrdup(buf), TA_EMA(0, e, cl, ema_p[k], &beg_, &nb_, o));
    }

    /* ---- MACD ---- */
    o = scratch(), o2 = scratch(), o3 = scratch();
    check(TA_MACD(0, e, cl, 12, 26, 9, &beg_, &nb_, o, o2, o3), "macd");
    place(new_column("macd", 0), o, 0, beg_, nb_);
    place(new_column("macd_signal", 0), o2, 0, beg_, nb_);
    place(new_column("macd_hist", 0), o3, 0, beg_, nb_);
    free(o), free(o2), free(o3);

    /* ---- trend ---- */
    CALL1("adx_14", TA_ADX(0, e, hi, lo, cl, 14, &beg_, &nb_, o));
    CALL1("plus_di_14", TA_PLUS_DI(0, e, hi, lo, cl, 14, &beg_, &nb_, o));
    CALL1("minus_di_14", TA_MINUS_DI(0, e, hi, lo, cl, 14, &beg_, &nb_, o));
    o = scratch(), o2 = scratch();
    check(TA_AROON(0, e, hi, lo, 25, &beg_, &nb_, o, o2), "aroon");
    place(new_column("aroon_down_25", 0), o, 0, beg_, nb_);
    place(new_column("aroon_up_25", 0), o2, 0, beg_, nb_);
    free(o), free(o2);
    CALL1("sar", TA_SAR(0, e, hi, lo, 0.02, 0.2, &beg_, &nb_, o));
    CALL1("trix_15", TA_TRIX(0, e, cl, 15, &beg_, &nb_, o));
    CALL1("kama_10", TA_KAMA(0, e, cl, 10, &beg_, &nb_, o));
    CALL1("linreg_slope_20", TA_LINEARREG_SLOPE(0, e, cl, 20, &beg_, &nb_, o));
    CALL1("t3_5", TA_T3(0, e, cl, 5, 0.7, &beg_, &nb_, o));

    /* ---- oscillators ---- */
    CALL1("rsi_14", TA_RSI(0, e, cl, 14, &beg_, &nb_, o));
    o = scratch(), o2 = scratch();
    check(TA_STOCH(0, e, hi, lo, cl, 14, 3, TA_MAType_SMA, 3, TA_MAType_SMA, &beg_, &nb_, o, o2),
          "stoch");
    place(new_column("stoch_k", 0), o, 0, beg_, nb_);
    place(new_column("stoch_d", 0), o2, 0, beg_, nb_);
    check(TA_STOCHRSI(0, e, cl, 14, 14, 3, TA_MAType_SMA, &beg_, &nb_, o, o2), "stochrsi");
    place(new_column("stochrsi_k", 0), o, 0, beg_, nb_);
    place(new_column("stochrsi_d", 0), o2, 0, beg_, nb_);
    free(o), free(o2);
    CALL1("willr_14", TA_WILLR(0, e, hi, lo, cl, 14, &beg_, &nb_, o));
    CALL1("cci_20", TA_CCI(0, e, hi, lo, cl, 20, &beg_, &nb_, o));
    CALL1("roc_12", TA_ROC(0, e, cl, 12, &beg_, &nb_, o));
    CALL1("mom_10", TA_MOM(0, e, cl, 10, &beg_, &nb_, o));
    CALL1("cmo_14", TA_CMO(0, e, cl, 14, &beg_, &nb_, o));

    /* ---- volatility ---- */
    static const int atr_p[] = {10, 14, 20, 22};
    for (unsigned k = 0; k < sizeof atr_p / sizeof *atr_p; ++k) {
        snprintf(buf, sizeof buf, "atr_%d", atr_p[k]);
        CALL1(xstrdup(buf), TA_ATR(0, e, hi, lo, cl, atr_p[k], &beg_, &nb_, o));
    }
    CALL1("natr_14", TA_NATR(0, e, hi, lo, cl, 14, &beg_, &nb_, o));
    CALL1("trange", TA_TRANGE(0, e, hi, lo, cl, &beg_, &nb_, o));
    CALL1("ultosc", TA_ULTOSC(0, e, hi, lo, cl, 7, 14, 28, &beg_, &nb_, o));

    /* ---- PPO and its signal line (EMA 9 over the valid part of PPO) ---- */
    {
        double* out = scratch();
        int beg = 0, nb = 0;
        check(TA_PPO(0, e, cl, 12, 26, TA_MAType_EMA, &beg, &nb, out), "ppo");
        double* ppo = new_column("ppo", 0);
        place(ppo, out, 0, beg, nb);
        ema_tail("ppo_signal", ppo, beg, 9);
        free(out);
    }

    o = scratch(), o2 = scratch(), o3 = scratch();
    check(TA_BBANDS(0, e, cl, 20, 2.0, 2.0, TA_MAType_SMA, &beg_, &nb_, o, o2, o3), "bbands");
    place(new_column("bb_upper", 0), o, 0, beg_, nb_);
    place(new_column("bb_middle", 0), o2, 0, beg_, nb_);
    place(new_column("bb_lower", 0), o3, 0, beg_, nb_);
    free(o), free(o2), free(o3);
    CALL1("stddev_20", TA_STDDEV(0, e, cl, 20, 1.0, &beg_, &nb_, o));

    /* ---- channels (windows include the current bar) ---- */
    static const int ch_p[] = {20, 22, 252};
    for (unsigned k = 0; k < sizeof ch_p / sizeof *ch_p; ++k) {
        snprintf(buf, sizeof buf, "max_high_%d", ch_p[k]);
        CALL1(xstrdup(buf), TA_MAX(0, e, hi, ch_p[k], &beg_, &nb_, o));
        snprintf(buf, sizeof buf, "min_low_%d", ch_p[k]);
        CALL1(xstrdup(buf), TA_MIN(0, e, lo, ch_p[k], &beg_, &nb_, o));
    }
    static const int mid_p[] = {9, 26, 52};
    for (unsigned k = 0; k < sizeof mid_p / sizeof *mid_p; ++k) {
        snprintf(buf, sizeof buf, "midprice_%d", mid_p[k]);
        CALL1(xstrdup(buf), TA_MIDPRICE(0, e, hi, lo, mid_p[k], &beg_, &nb_, o));
    }

    /* ---- volume ---- */
    CALL1("obv", TA_OBV(0, e, cl, vo, &beg_, &nb_, o));
    CALL1("ad", TA_AD(0, e, hi, lo, cl, vo, &beg_, &nb_, o));
    CALL1("adosc", TA_ADOSC(0, e, hi, lo, cl, vo, 3, 10, &beg_, &nb_, o));
    CALL1("mfi_14", TA_MFI(0, e, hi, lo, cl, vo, 14, &beg_, &nb_, o));
    CALL1("sma_volume_20", TA_SMA(0, e, vo, 20, &beg_, &nb_, o));
    {
        double* out = scratch();
        int beg = 0, nb = 0;
        check(TA_PPO(0, e, vo, 12, 26, TA_MAType_EMA, &beg, &nb, out), "pvo");
        double* pvo = new_column("pvo", 0);
        place(pvo, out, 0, beg, nb);
        ema_tail("pvo_signal", pvo, beg, 9);
        free(out);
    }
    {
        double* force = new_column("force_raw", 0);
        for (int i = 1; i < N; ++i) force[i] = (cl[i] - cl[i - 1]) * vo[i];
        ema_tail("force_index_13", force, 1, 13);
    }

    /* ---- candlesticks (TA-Lib default CandleSettings) ---- */
    int* ci = xcalloc(N, sizeof(int));
    int b = 0, nb = 0;
    check(TA_CDLENGULFING(0, e, op, hi, lo, cl, &b, &nb, ci), "cdl_engulfing");
    cdl("cdl_engulfing", ci, b, nb);
    check(TA_CDLHAMMER(0, e, op, hi, lo, cl, &b, &nb, ci), "cdl_hammer");
    cdl("cdl_hammer", ci, b, nb);
    check(TA_CDLHANGINGMAN(0, e, op, hi, lo, cl, &b, &nb, ci), "cdl_hangingman");
    cdl("cdl_hangingman", ci, b, nb);
    check(TA_CDLMORNINGSTAR(0, e, op, hi, lo, cl, 0.3, &b, &nb, ci), "cdl_morningstar");
    cdl("cdl_morningstar", ci, b, nb);
    check(TA_CDLEVENINGSTAR(0, e, op, hi, lo, cl, 0.3, &b, &nb, ci), "cdl_eveningstar");
    cdl("cdl_eveningstar", ci, b, nb);
    check(TA_CDL3WHITESOLDIERS(0, e, op, hi, lo, cl, &b, &nb, ci), "cdl_3whitesoldiers");
    cdl("cdl_3whitesoldiers", ci, b, nb);
    check(TA_CDL3BLACKCROWS(0, e, op, hi, lo, cl, &b, &nb, ci), "cdl_3blackcrows");
    cdl("cdl_3blackcrows", ci, b, nb);
    check(TA_CDLHARAMI(0, e, op, hi, lo, cl, &b, &nb, ci), "cdl_harami");
    cdl("cdl_harami", ci, b, nb);
    check(TA_CDLPIERCING(0, e, op, hi, lo, cl, &b, &nb, ci), "cdl_piercing");
    cdl("cdl_piercing", ci, b, nb);
    check(TA_CDLDARKCLOUDCOVER(0, e, op, hi, lo, cl, 0.5, &b, &nb, ci), "cdl_darkcloudcover");
    cdl("cdl_darkcloudcover", ci, b, nb);
    free(ci);
}

static void write_output(const char* path, const Input* in) {
    FILE* f = fopen(path, "w");
    if (!f) die("cannot open for writing", path);
    fprintf(f, "time");
    for (int k = 0; k < ncols; ++k) fprintf(f, ",%s", cols[k].name);
    fprintf(f, "\n");
    for (int i = 0; i < N; ++i) {
        fprintf(f, "%s", in->time[i]);
        for (int k = 0; k < ncols; ++k) {
            double x = cols[k].v[i];
            if (isnan(x))
                fprintf(f, ",");
            else if (cols[k].is_int)
                fprintf(f, ",%d", (int)x);
            else
                fprintf(f, ",%.17g", x == 0.0 ? 0.0 : x); /* no "-0", exact */
        }
        fprintf(f, "\n");
    }
    fclose(f);

    /* candlestick hit counts, for the README */
    for (int k = 0; k < ncols; ++k) {
        if (!cols[k].is_int) continue;
        int p100 = 0, m100 = 0, other = 0;
        for (int i = 0; i < N; ++i) {
            double x = cols[k].v[i];
            if (isnan(x) || x == 0.0) continue;
            if (x == 100.0)
                ++p100;
            else if (x == -100.0)
                ++m100;
            else
                ++other;
        }
        fprintf(stderr, "  %-20s +100: %4d  -100: %4d  other nonzero (+-80): %d\n", cols[k].name,
                p100, m100, other);
    }
}

/* Prices times `factor`, volume as read: a price-unit change (cents, satoshis) moves prices only. */
static void write_scaled(const char* in_path, const char* out_path, const char* factor_text) {
    char* end = NULL;
    const double factor = strtod(factor_text, &end);
    if (end == factor_text || *end || !(factor > 0.0)) die("bad scale factor", factor_text);
    Input in = read_input(in_path);
    FILE* f = fopen(out_path, "w");
    if (!f) die("cannot open for writing", out_path);
    fprintf(f, "time,open,high,low,close,volume\n");
    for (int i = 0; i < in.n; ++i)
        fprintf(f, "%s,%.17g,%.17g,%.17g,%.17g,%.17g\n", in.time[i], in.open[i] * factor,
                in.high[i] * factor, in.low[i] * factor, in.close[i] * factor, in.volume[i]);
    fclose(f);
}

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "random-walk") == 0) {
        write_random_walk(argv[2]);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "indicators") == 0) {
        check(TA_Initialize(), "TA_Initialize");
        Input in = read_input(argv[2]);
        N = in.n;
        if (N < 2) die("too few bars in", argv[2]);
        compute(&in);
        write_output(argv[3], &in);
        TA_Shutdown();
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "scale") == 0) {
        write_scaled(argv[2], argv[3], argv[4]);
        return 0;
    }
    fprintf(stderr,
            "usage: gen_reference random-walk OUT.csv\n"
            "       gen_reference indicators IN.csv OUT.csv\n"
            "       gen_reference scale IN.csv OUT.csv FACTOR\n");
    return 2;
}
