// libxml2's tree API. The module is named CLibXML2 so it cannot clash with the libxml2
// that Foundation's XML support carries. Debian builds libxml2 with ICU, whose headers then
// enter this module and clash with Foundation's own ICU in debug builds; nothing here uses
// the ICU converter fields (encoding handlers are only passed by pointer), so they are left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
