// libarchive: streaming reads of zip, tar(.gz) and single compressed files.
#include <archive.h>
#include <archive_entry.h>
