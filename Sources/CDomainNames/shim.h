// libpsl (public suffix list, organizational domains) and libidn2 (IDNA: U-labels to A-labels).
#include <libpsl.h>
#include <idn2.h>
