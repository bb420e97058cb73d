/* Error names and texts: see sgxra/error.h. */
#include "sgxra/error.h"

const char *sgxra_err_name(sgxra_err err) {
  /* A switch, not a table, so that every code in the lists has a case and a
   * number outside them falls to the default. */
  switch (err) {
  case SGXRA_OK:
    return "SGXRA_OK";
#define SGXRA__ERR_NAME(name, num, text)                                       \
  case SGXRA_E_##name:                                                         \
    return "SGXRA_E_" #name;
    SGXRA_ERROR_LIST(SGXRA__ERR_NAME)
#undef SGXRA__ERR_NAME
  }
  return "SGXRA_E_UNKNOWN";
}

const char *sgxra_strerror(sgxra_err err) {
  switch (err) {
  case SGXRA_OK:
    return "success";
#define SGXRA__ERR_TEXT(name, num, text)                                       \
  case SGXRA_E_##name:                                                         \
    return text;
    SGXRA_ERROR_LIST(SGXRA__ERR_TEXT)
#undef SGXRA__ERR_TEXT
  }
  return "unknown error code";
}
