/*
 * The wasm engine's native addon (N-API): OpenBLAS's sgemm and an NHWC im2col / col2im on
 * Float32Arrays, which may be views of tfjs-wasm's heap (kernels/openblas-conv.ts). Built by
 * `npm run build:native`; OpenBLAS runs one thread per caller, as each engine worker is a thread.
 */
#include <cblas.h>
#include <node_api.h>
#include <string.h>

static float *floats(napi_env env, napi_value value) {
  void *data;
  size_t length, offset;
  napi_typedarray_type type;
  napi_value buffer;
  napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset);
  return (float *)data;
}

static int integer(napi_env env, napi_value value) {
  int32_t out;
  napi_get_value_int32(env, value, &out);
  return out;
}

/* sgemm(transA, transB, m, n, k, a, b, c, beta): c[m,n] = op(a) op(b) + beta c, dense row-major. */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int transA = integer(env, argv[0]), transB = integer(env, argv[1]);
  int m = integer(env, argv[2]), n = integer(env, argv[3]), k = integer(env, argv[4]);
  double beta;
  napi_get_value_double(env, argv[8], &beta);
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
              floats(env, argv[5]), transA ? m : k, floats(env, argv[6]), transB ? k : n, (float)beta, floats(env, argv[7]), n);
  return NULL;
}

/*
 * im2col(x, col, images, inHeight, inWidth, channels, outHeight, outWidth, stride, top, left, filterHeight,
 * filterWidth, backward): col[m][k], m = (n, y, x), k = (kh, kw, c), out-of-image taps 0; with backward
 * set, adds col into x instead (col2im).
 */
static napi_value im2col(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value a[14];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  float *x = floats(env, a[0]), *col = floats(env, a[1]);
  int images = integer(env, a[2]), height = integer(env, a[3]), width = integer(env, a[4]), channels = integer(env, a[5]);
  int outHeight = integer(env, a[6]), outWidth = integer(env, a[7]), stride = integer(env, a[8]);
  int top = integer(env, a[9]), left = integer(env, a[10]), filterHeight = integer(env, a[11]), filterWidth = integer(env, a[12]);
  int backward = integer(env, a[13]);
  for (int n = 0; n < images; n++)
    for (int y = 0; y < outHeight; y++)
      for (int xo = 0; xo < outWidth; xo++)
        for (int kh = 0; kh < filterHeight; kh++) {
          int ih = y * stride - top + kh;
          for (int kw = 0; kw < filterWidth; kw++, col += channels) {
            int iw = xo * stride - left + kw;
            if (ih < 0 || ih >= height || iw < 0 || iw >= width) {
              if (!backward) memset(col, 0, channels * sizeof(float));
              continue;
            }
            float *pixel = x + ((size_t)(n * height + ih) * width + iw) * channels;
            if (backward)
              for (int c = 0; c < channels; c++) pixel[c] += col[c];
            else
              memcpy(col, pixel, channels * sizeof(float));
          }
        }
  return NULL;
}

NAPI_MODULE_INIT() {
  openblas_set_num_threads(1);
  napi_value fn;
  napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, sgemm, NULL, &fn);
  napi_set_named_property(env, exports, "sgemm", fn);
  napi_create_function(env, "im2col", NAPI_AUTO_LENGTH, im2col, NULL, &fn);
  napi_set_named_property(env, exports, "im2col", fn);
  return exports;
}
