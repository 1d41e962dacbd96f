// `make matmul-probe`: is oneDNN's matmul primitive faster than `dnnl_sgemm` (the engine's
// product today) on this CPU, on the encoder's shapes? Issue 25 asks for weights packed once per
// model, fused post-ops, and a row count that changes every batch (packed batches): a primitive
// per row count or one with a runtime row count. For each shape (rows M = 16 x 128 tokens, or a
// packed batch's 1,987; N, K of MiniLM-L6 and the base-sized models) it times, interleaved, best
// of ROUNDS: dnnl_sgemm with the bias as the initial output (beta 1, as linearForward does), the
// matmul primitive with a fixed M and weights reordered once into the layout it asks for
// (format `any`), the same with M a runtime dimension, and the fixed one with GELU (erf) fused as
// a post-op. Each primitive's output is checked against dnnl_sgemm's (max |difference|, GELU
// applied to the reference): above 1e-3 the cell reads "wrong" and the probe exits 1. GFLOP/s on
// stdout as a markdown table, the CPU's ISA as oneDNN sees it in the header; run it on an idle
// machine and name the CPU.
//   cc -O2 -o matmul-probe scripts/matmul-probe.c -ldnnl -lm && OMP_NUM_THREADS=2 ./matmul-probe [ROUNDS]
#include <dnnl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHECK(call) check((call), #call, __LINE__)

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static void check(dnnl_status_t status, const char *call, int line) {
    if (status == dnnl_success) return;
    fprintf(stderr, "matmul-probe.c:%d: %s failed with status %d\n", line, call, (int)status);
    exit(70);
}

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *random_floats(size_t count, unsigned seed) {
    float *values = malloc(count * sizeof(float));
    if (!values) { fprintf(stderr, "matmul-probe: out of memory\n"); exit(70); }
    for (size_t i = 0; i < count; i++) {
        seed = seed * 1664525u + 1013904223u;
        values[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
    }
    return values;
}

static const char *isa_name(dnnl_cpu_isa_t isa) {
    switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "other";
    }
}

typedef struct { int rows, out_dim, in_dim; const char *what; } Shape;
typedef struct { float *input, *weight, *bias, *reference, *reference_gelu, *output; } Operands;

// out (M,N) = input (M,K) · weight(N,K)ᵀ + bias(N), the engine's linearForward
static void sgemm_linear(const Shape *s, const Operands *o, float *out) {
    for (int r = 0; r < s->rows; r++)
        for (int c = 0; c < s->out_dim; c++) out[(size_t)r * s->out_dim + c] = o->bias[c];
    CHECK(dnnl_sgemm('N', 'T', s->rows, s->out_dim, s->in_dim, 1.f, o->input, s->in_dim,
                     o->weight, s->in_dim, 1.f, out, s->out_dim));
}

static double time_sgemm(const Shape *s, const Operands *o, int reps) {
    sgemm_linear(s, o, o->output);
    double start = seconds();
    for (int r = 0; r < reps; r++) sgemm_linear(s, o, o->output);
    return (seconds() - start) / reps;
}

static float max_difference(const float *a, const float *b, size_t count) {
    float worst = 0;
    for (size_t i = 0; i < count; i++) worst = fmaxf(worst, fabsf(a[i] - b[i]));
    return worst;
}

// One matmul primitive: M fixed or runtime, optional fused GELU; weights reordered once.
// Returns seconds per product (negative: oneDNN has no implementation), its name and its error.
static double time_matmul(const Shape *s, const Operands *o, int reps, int runtime_rows, int gelu,
                          const char **implementation, float *error) {
    dnnl_dim_t rows = runtime_rows ? DNNL_RUNTIME_DIM_VAL : s->rows;
    dnnl_dims_t src_dims = {rows, s->in_dim}, weight_dims = {s->in_dim, s->out_dim};
    dnnl_dims_t bias_dims = {1, s->out_dim}, dst_dims = {rows, s->out_dim};
    dnnl_dims_t src_real = {s->rows, s->in_dim}, dst_real = {s->rows, s->out_dim};
    dnnl_memory_desc_t src_md, weight_md, weight_user_md, bias_md, dst_md, src_real_md, dst_real_md;
    CHECK(dnnl_memory_desc_init_by_tag(&src_md, 2, src_dims, dnnl_f32, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&weight_md, 2, weight_dims, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&weight_user_md, 2, weight_dims, dnnl_f32, dnnl_ba));  // stored (N,K)
    CHECK(dnnl_memory_desc_init_by_tag(&bias_md, 2, bias_dims, dnnl_f32, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&dst_md, 2, dst_dims, dnnl_f32, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&src_real_md, 2, src_real, dnnl_f32, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&dst_real_md, 2, dst_real, dnnl_f32, dnnl_ab));
    dnnl_matmul_desc_t descriptor;
    CHECK(dnnl_matmul_desc_init(&descriptor, &src_md, &weight_md, &bias_md, &dst_md));
    dnnl_primitive_attr_t attributes;
    CHECK(dnnl_primitive_attr_create(&attributes));
    dnnl_post_ops_t post_ops = NULL;
    if (gelu) {
        CHECK(dnnl_post_ops_create(&post_ops));
        CHECK(dnnl_post_ops_append_eltwise(post_ops, 1.f, dnnl_eltwise_gelu_erf, 0.f, 0.f));
        CHECK(dnnl_primitive_attr_set_post_ops(attributes, post_ops));
    }
    dnnl_primitive_desc_t descriptor_primitive;
    if (dnnl_primitive_desc_create(&descriptor_primitive, &descriptor, attributes, engine, NULL) != dnnl_success) {
        *implementation = "none";
        return -1;
    }
    CHECK(dnnl_primitive_desc_query(descriptor_primitive, dnnl_query_impl_info_str, 0, implementation));
    const dnnl_memory_desc_t *packed_md = dnnl_primitive_desc_query_md(descriptor_primitive,
                                                                        dnnl_query_weights_md, 0);
    dnnl_memory_t weight_user, weight_packed, src, bias, dst;
    CHECK(dnnl_memory_create(&weight_user, &weight_user_md, engine, o->weight));
    CHECK(dnnl_memory_create(&weight_packed, packed_md, engine, DNNL_MEMORY_ALLOCATE));
    dnnl_primitive_desc_t reorder_descriptor;
    dnnl_primitive_t reorder, product;
    CHECK(dnnl_reorder_primitive_desc_create(&reorder_descriptor, &weight_user_md, engine, packed_md, engine, NULL));
    CHECK(dnnl_primitive_create(&reorder, reorder_descriptor));
    dnnl_exec_arg_t reorder_args[2] = {{DNNL_ARG_FROM, weight_user}, {DNNL_ARG_TO, weight_packed}};
    CHECK(dnnl_primitive_execute(reorder, stream, 2, reorder_args));
    CHECK(dnnl_memory_create(&src, &src_real_md, engine, o->input));
    CHECK(dnnl_memory_create(&bias, &bias_md, engine, o->bias));
    CHECK(dnnl_memory_create(&dst, &dst_real_md, engine, o->output));
    CHECK(dnnl_primitive_create(&product, descriptor_primitive));
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weight_packed},
                               {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, dst}};
    CHECK(dnnl_primitive_execute(product, stream, 4, args));
    CHECK(dnnl_stream_wait(stream));
    size_t count = (size_t)s->rows * s->out_dim;
    *error = max_difference(o->output, gelu ? o->reference_gelu : o->reference, count);
    double start = seconds();
    for (int r = 0; r < reps; r++) CHECK(dnnl_primitive_execute(product, stream, 4, args));
    CHECK(dnnl_stream_wait(stream));
    double per_product = (seconds() - start) / reps;
    dnnl_primitive_destroy(product);
    dnnl_primitive_destroy(reorder);
    dnnl_primitive_desc_destroy(reorder_descriptor);
    dnnl_primitive_desc_destroy(descriptor_primitive);
    dnnl_primitive_attr_destroy(attributes);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    dnnl_memory_destroy(weight_user);
    dnnl_memory_destroy(weight_packed);
    dnnl_memory_destroy(src);
    dnnl_memory_destroy(bias);
    dnnl_memory_destroy(dst);
    return per_product;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    if (rounds < 1 || rounds > 100) {
        fprintf(stderr, "usage: matmul-probe [ROUNDS 1-100]\n");
        return 64;
    }
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    const dnnl_version_t *version = dnnl_version();
    printf("oneDNN %d.%d.%d, effective ISA %s, OMP_NUM_THREADS=%s, best of %d interleaved rounds\n\n",
           version->major, version->minor, version->patch, isa_name(dnnl_get_effective_cpu_isa()),
           getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "(unset)", rounds);
    Shape shapes[] = {
        {2048, 384, 384, "MiniLM Q/K/V/out"}, {2048, 1152, 384, "MiniLM QKV fused"},
        {2048, 1536, 384, "MiniLM FFN up"}, {2048, 384, 1536, "MiniLM FFN down"},
        {2048, 768, 768, "base Q/K/V/out"}, {2048, 2304, 768, "base QKV fused"},
        {2048, 3072, 768, "base FFN up"}, {2048, 768, 3072, "base FFN down"},
        {1987, 768, 768, "base, packed batch"}, {1987, 3072, 768, "base FFN up, packed batch"},
    };
    printf("| shape | M | N | K | sgemm GFLOP/s | matmul, fixed M | runtime M | fixed M + GELU post-op"
           " | implementation (fixed / runtime / GELU) | max abs diff vs sgemm |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    int wrong = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const Shape *s = &shapes[i];
        size_t inputs = (size_t)s->rows * s->in_dim;
        size_t outputs = (size_t)s->rows * s->out_dim;
        Operands o = {random_floats(inputs, 1), random_floats((size_t)s->out_dim * s->in_dim, 2),
                      random_floats(s->out_dim, 3), malloc(outputs * sizeof(float)),
                      malloc(outputs * sizeof(float)), malloc(outputs * sizeof(float))};
        if (!o.reference || !o.reference_gelu || !o.output) return 70;
        sgemm_linear(s, &o, o.reference);
        for (size_t j = 0; j < outputs; j++) {
            float x = o.reference[j];
            o.reference_gelu[j] = 0.5f * x * (1.f + erff(x / sqrtf(2.f)));
        }
        double flops = 2.0 * s->rows * s->out_dim * s->in_dim;
        int reps = (int)(2e10 / flops) + 3;
        double best[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
        float error[4] = {0, 0, 0, 0};
        const char *fixed_name = "", *runtime_name = "", *gelu_name = "";
        for (int round = 0; round < rounds; round++) {
            double t = time_sgemm(s, &o, reps);
            best[0] = fmin(best[0], t);
            t = time_matmul(s, &o, reps, 0, 0, &fixed_name, &error[1]);
            if (t > 0) best[1] = fmin(best[1], t);
            t = time_matmul(s, &o, reps, 1, 0, &runtime_name, &error[2]);
            if (t > 0) best[2] = fmin(best[2], t);
            t = time_matmul(s, &o, reps, 0, 1, &gelu_name, &error[3]);
            if (t > 0) best[3] = fmin(best[3], t);
        }
        printf("| %s | %d | %d | %d |", s->what, s->rows, s->out_dim, s->in_dim);
        for (int v = 0; v < 4; v++) {
            if (error[v] > 1e-3f) {
                printf(" wrong |");
                wrong = 1;
            } else if (isinf(best[v])) {
                printf(" — |");
            } else {
                printf(" %.1f |", flops / best[v] / 1e9);
            }
        }
        printf(" %s / %s / %s | %.1e / %.1e / %.1e |\n", fixed_name, runtime_name, gelu_name, error[1], error[2],
               error[3]);
        fflush(stdout);
        free(o.input);
        free(o.weight);
        free(o.bias);
        free(o.reference);
        free(o.reference_gelu);
        free(o.output);
    }
    return wrong;
}
