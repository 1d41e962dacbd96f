// oneDNN's C API (Debian's libdnnl-dev): the row-major sgemm, the ISA it dispatched to, its version.
#include <oneapi/dnnl/dnnl.h>
