#ifndef RUA_CLIBXML2_SHIM_H
#define RUA_CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU, so its headers include <unicode/ucnv.h>. Importing that next to
// Foundation (which carries its own ICU) fails with "'UErrorCode' has different definitions". libxml2's
// headers only need the opaque UConverter and the 16-bit UChar, so declare those two and keep the
// system ICU header out by defining its include guard.
#ifndef UCNV_H
#define UCNV_H
#include <stdint.h>
typedef uint16_t UChar;
typedef struct UConverter UConverter;
#endif

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>
#include <libxml/HTMLparser.h>

#endif
