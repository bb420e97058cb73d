/* Results of the `sgxra` subcommands, human or JSON, and the SIGSTRUCT
 * report `inspect` and `measure` share: see cli.h. */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

void cli_put_hex(cli_out *o, const char *key, const uint8_t *p, size_t n) {
  if (o->json)
    json_object_set_new(o->json, key, cli_json_hex(p, n));
  else
    cli_print_hex(key, o->width, p, n);
}

void cli_put_num(cli_out *o, const char *key, uint64_t v) {
  if (o->json)
    json_object_set_new(o->json, key, json_integer((json_int_t)v));
  else
    printf("%-*s %" PRIu64 "\n", o->width, key, v);
}

static json_t *hexnum(uint64_t v) {
  char s[24];
  snprintf(s, sizeof s, "0x%" PRIx64, v);
  return json_string(s);
}

void cli_put_hexnum(cli_out *o, const char *key, uint64_t v) {
  if (o->json)
    json_object_set_new(o->json, key, hexnum(v));
  else
    printf("%-*s 0x%" PRIx64 "\n", o->width, key, v);
}

void cli_put_str(cli_out *o, const char *key, const char *s) {
  if (o->json)
    json_object_set_new(o->json, key, json_string(s));
  else
    printf("%-*s %s\n", o->width, key, s);
}

void cli_put_bool(cli_out *o, const char *key, int b) {
  if (o->json)
    json_object_set_new(o->json, key, json_boolean(b));
  else
    printf("%-*s %s\n", o->width, key, b ? "true" : "false");
}

void cli_put_attributes(cli_out *o, const char *key, const sgxra_attributes *a,
                        int names) {
  char txt[160];
  if (o->json) {
    json_t *v = json_object();
    json_object_set_new(v, "flags", hexnum(a->flags));
    json_object_set_new(v, "xfrm", hexnum(a->xfrm));
    json_object_set_new(o->json, key, v);
  } else if (names) {
    sgxra_attributes_flags_text(a->flags, txt, sizeof txt);
    printf("%-*s flags 0x%" PRIx64 " (%s), xfrm 0x%" PRIx64 "\n", o->width, key,
           a->flags, txt, a->xfrm);
  } else {
    printf("%-*s flags 0x%" PRIx64 ", xfrm 0x%" PRIx64 "\n", o->width, key,
           a->flags, a->xfrm);
  }
}

int cli_out_end(cli_out *o, int rc) {
  if (o->json) {
    if (rc == CLI_EXIT_USAGE)
      json_decref(o->json);
    else
      cli_json_print(o->json);
    o->json = NULL;
  }
  return rc;
}

void cli_warn_debug_signer(const char *verb, const char *path,
                           const char *name) {
  fprintf(stderr,
          "sgxra %s: warning: %s: MRSIGNER is a well-known public debug "
          "key (%s): anyone can sign with it; never trust it in production\n",
          verb, path, name);
}

/* ---- SIGSTRUCT ----------------------------------------------------------- */

int cli_sigstruct_load(const char *verb, sgxra_ctx *cx, const char *path,
                       const uint8_t *p, size_t n, int header_fatal,
                       cli_sigstruct *out) {
  out->verr = SGXRA_OK;
  out->why[0] = '\0';
  out->debug_name = NULL;
  if (sgxra_sigstruct_decode(cx, p, n, &out->s) != SGXRA_OK)
    return cli_fail(verb, path, cx, CLI_EXIT_USAGE);
  out->verr = sgxra_sigstruct_verify(cx, &out->s);
  if (header_fatal && out->verr == SGXRA_E_SIGSTRUCT_HEADER)
    return cli_fail(verb, path, cx, CLI_EXIT_USAGE);
  if (out->verr != SGXRA_OK)
    snprintf(out->why, sizeof out->why, "%s [%s]", sgxra_ctx_message(cx),
             sgxra_err_name(out->verr));
  if (sgxra_sigstruct_mrsigner(cx, &out->s, out->mrsigner) != SGXRA_OK)
    return cli_fail(verb, path, cx, CLI_EXIT_USAGE);
  sgxra_mrsigner_is_debug_key(out->mrsigner, &out->debug_name);
  return 0;
}

/* The BCD date; the human line of `annotate` spells it yyyy-mm-dd. */
static void put_date(cli_out *o, uint32_t date, int annotate) {
  if (o->json || !annotate)
    cli_put_hexnum(o, "date", date);
  else if (date == 0)
    printf("%-*s 0x0 (not set)\n", o->width, "date");
  else
    printf("%-*s 0x%08" PRIx32 " (%04" PRIx32 "-%02" PRIx32 "-%02" PRIx32 ")\n",
           o->width, "date", date, date >> 16, (date >> 8) & 0xff, date & 0xff);
}

void cli_put_sigstruct_identity(cli_out *o, const cli_sigstruct *ss,
                                int annotate) {
  const sgxra_sigstruct *s = &ss->s;
  cli_put_num(o, "isvprodid", s->isvprodid);
  cli_put_num(o, "isvsvn", s->isvsvn);
  cli_put_hexnum(o, "vendor", s->vendor);
  put_date(o, s->date, annotate);
  cli_put_attributes(o, "attributes", &s->attributes, annotate);
  cli_put_attributes(o, "attributemask", &s->attributemask, 0);
  cli_put_hexnum(o, "miscselect", s->miscselect);
  cli_put_hexnum(o, "miscmask", s->miscmask);
  cli_put_bool(o, "signature_valid", ss->verr == SGXRA_OK);
  cli_put_bool(o, "debug_signer", ss->debug_name != NULL);
  if (ss->debug_name) cli_put_str(o, "debug_signer_name", ss->debug_name);
}

int cli_sigstruct_end(const char *verb, cli_out *o, const char *path,
                      const cli_sigstruct *ss) {
  if (ss->verr != SGXRA_OK) cli_put_str(o, "signature_error", ss->why);
  if (ss->debug_name) cli_warn_debug_signer(verb, path, ss->debug_name);
  if (ss->verr == SGXRA_OK) return CLI_EXIT_OK;
  fprintf(stderr, "sgxra %s: %s: %s\n", verb, path, ss->why);
  return CLI_EXIT_REFUSED;
}

void cli_put_nums(cli_out *o, const char *key, const uint8_t *v, size_t n) {
  if (o->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_integer(v[i]));
    json_object_set_new(o->json, key, a);
    return;
  }
  printf("%-*s", o->width, key);
  for (size_t i = 0; i < n; i++) printf(" %u", (unsigned)v[i]);
  printf("\n");
}
