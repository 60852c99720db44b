// The functions are static inline in include/cbs_scan.h; a C target needs one source file.
#include "cbs_scan.h"
