// libxml2's tree API. The module is named CLibXML2 so it cannot clash with the libxml2
// that Foundation's XML support carries.
#include <libxml/parser.h>
#include <libxml/tree.h>
