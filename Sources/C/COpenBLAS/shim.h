// OpenBLAS's CBLAS interface plus its thread-count controls and the name of the kernel it chose.
#include <cblas.h>

// Exported by libopenblas (pthread build) though not in its header: they re-read the
// OPENBLAS_* environment and restart the thread pool, so a setting such as the worker
// threads' spin time can be applied after the library has started.
void openblas_read_env(void);
// LAPACK's symmetric eigensolver, which libopenblas exports (Fortran calling convention).
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
            const int *lwork, int *info);
int blas_thread_init(void);
int blas_thread_shutdown_(void);
