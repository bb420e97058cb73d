/*
 * emu/platform.c -- an emulated platform and its state directory.  See
 * sgxra/emu.h.
 *
 * DIR/platform.json (mode 0600, it holds the root secret):
 *
 *   {"format": "sgxra-emu-platform", "version": 1,
 *    "root_key": "<32 hex>", "ownerepoch": "<32 hex>",
 *    "cpusvn": "<32 hex>", "tcb_svns": [16 integers 0..255],
 *    "pcesvn": 0..65535, "pceid": 0..65535, "fmspc": "<12 hex>"}
 *
 * The REPORT KEYID is not saved: a fresh one is drawn at every load, as the
 * CPU draws CR_REPORT_KEYID at every boot.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "emu/cpu_internal.h"
#include "emu/state_internal.h"
#include "sgxra/crypto.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"

#define STATE_FORMAT "sgxra-emu-platform"
#define STATE_VERSION 1
#define STATE_CAP (64 * 1024)

void sgxra_emu_platform_config_default(sgxra_emu_platform_config *cfg) {
  static const uint8_t fmspc[SGXRA_EMU_FMSPC_SIZE] = {0x00, 0x90, 0x6e,
                                                      0xd5, 0x00, 0x00};
  memset(cfg, 0, sizeof *cfg);
  memset(cfg->tcb_svns, 2, sizeof cfg->tcb_svns);
  memcpy(cfg->cpusvn, cfg->tcb_svns, sizeof cfg->cpusvn);
  cfg->pcesvn = 13;
  cfg->pceid = 0;
  memcpy(cfg->fmspc, fmspc, sizeof fmspc);
}

static sgxra_err set_dir(sgxra_ctx *cx, sgxra_emu_platform *p,
                         const char *dir) {
  size_t n = strlen(dir);
  char *d = malloc(n + 1);
  if (!d) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  memcpy(d, dir, n + 1);
  free(p->dir);
  p->dir = d;
  return SGXRA_OK;
}

static sgxra_err platform_alloc(sgxra_ctx *cx, sgxra_emu_platform **out_p) {
  *out_p = calloc(1, sizeof **out_p);
  if (!*out_p)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY,
                       "out of memory for an emulated platform");
  return SGXRA_OK;
}

sgxra_err sgxra_emu_platform_new(sgxra_ctx *cx,
                                 const sgxra_emu_platform_config *cfg,
                                 sgxra_emu_platform **out_p) {
  sgxra_emu_platform *p = NULL;
  *out_p = NULL;
  sgxra_err err = platform_alloc(cx, &p);
  if (err) return err;
  if (cfg)
    p->cfg = *cfg;
  else
    sgxra_emu_platform_config_default(&p->cfg);
  err = sgxra_random(cx, p->root_key, sizeof p->root_key);
  if (!err) err = sgxra__emu_fuses(cx, p);
  if (!err) err = sgxra_random(cx, p->ownerepoch, sizeof p->ownerepoch);
  if (!err) err = sgxra_random(cx, p->report_keyid, sizeof p->report_keyid);
  if (err) {
    sgxra_emu_platform_free(p);
    return err;
  }
  *out_p = p;
  return SGXRA_OK;
}

void sgxra_emu_platform_free(sgxra_emu_platform *p) {
  if (!p) return;
  free(p->dir);
  sgxra_wipe(p, sizeof *p);
  free(p);
}

void sgxra_emu_platform_get_config(const sgxra_emu_platform *p,
                                   sgxra_emu_platform_config *out_cfg) {
  *out_cfg = p->cfg;
}

void sgxra_emu_platform_set_config(sgxra_emu_platform *p,
                                   const sgxra_emu_platform_config *cfg) {
  p->cfg = *cfg;
}

const char *sgxra_emu_platform_dir(const sgxra_emu_platform *p) {
  return p->dir;
}

void sgxra_emu_platform_ownerepoch(const sgxra_emu_platform *p,
                                   uint8_t out[SGXRA_EMU_OWNEREPOCH_SIZE]) {
  memcpy(out, p->ownerepoch, SGXRA_EMU_OWNEREPOCH_SIZE);
}

void sgxra_emu_platform_report_keyid(const sgxra_emu_platform *p,
                                     uint8_t out[SGXRA_KEYID_SIZE]) {
  memcpy(out, p->report_keyid, SGXRA_KEYID_SIZE);
}

/* "DIR/platform.json" in a new buffer. */
static sgxra_err state_path(sgxra_ctx *cx, const char *dir, char **out) {
  size_t n = strlen(dir) + 1 + sizeof SGXRA_EMU_STATE_FILE;
  *out = malloc(n);
  if (!*out) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  snprintf(*out, n, "%s/%s", dir, SGXRA_EMU_STATE_FILE);
  return SGXRA_OK;
}

/* The hex text of root_key passes through buf: wiped before returning. */
static int put_hex(json_t *o, const char *key, const uint8_t *p, size_t n) {
  char buf[2 * 64 + 1];
  sgxra_hex_encode(p, n, buf);
  int rc = json_object_set_new(o, key, json_string(buf));
  sgxra_wipe(buf, sizeof buf);
  return rc;
}

sgxra_err sgxra_emu_platform_save(sgxra_ctx *cx, const sgxra_emu_platform *p,
                                  const char *dir) {
  char *path = NULL, *text = NULL;
  json_t *o = json_object(), *svns = json_array();
  sgxra_err err = SGXRA_OK;
  int bad = (o == NULL || svns == NULL);
  for (size_t i = 0; !bad && i < SGXRA_EMU_TCB_SVNS; i++)
    bad |= json_array_append_new(svns, json_integer(p->cfg.tcb_svns[i]));
  if (!bad) {
    bad |= json_object_set_new(o, "format", json_string(STATE_FORMAT));
    bad |= json_object_set_new(o, "version", json_integer(STATE_VERSION));
    bad |= put_hex(o, "root_key", p->root_key, sizeof p->root_key);
    bad |= put_hex(o, "ownerepoch", p->ownerepoch, sizeof p->ownerepoch);
    bad |= put_hex(o, "cpusvn", p->cfg.cpusvn, sizeof p->cfg.cpusvn);
    bad |= json_object_set(o, "tcb_svns", svns);
    bad |= json_object_set_new(o, "pcesvn", json_integer(p->cfg.pcesvn));
    bad |= json_object_set_new(o, "pceid", json_integer(p->cfg.pceid));
    bad |= put_hex(o, "fmspc", p->cfg.fmspc, sizeof p->cfg.fmspc);
  }
  if (!bad) text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (bad || !text) {
    err = sgxra__fail(cx, SGXRA_E_NO_MEMORY,
                      "out of memory writing the platform state");
    goto done;
  }
  err = state_path(cx, dir, &path);
  if (err) goto done;
  err = sgxra__write_atomic(cx, path, text, strlen(text), 0600);
  if (err) sgxra__context(cx, err, "saving emulated platform state");

done:
  if (text) {
    sgxra_wipe(text, strlen(text));
    free(text);
  }
  json_decref(svns);
  json_decref(o);
  free(path);
  return err;
}

sgxra_err sgxra_emu_platform_init(sgxra_ctx *cx, const char *dir,
                                  const sgxra_emu_platform_config *cfg,
                                  sgxra_emu_platform **out_p) {
  sgxra_emu_platform *p = NULL;
  char *path = NULL;
  struct stat st;
  sgxra_err err;

  if (out_p) *out_p = NULL;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    return sgxra__fail(cx, SGXRA_E_IO,
                       "cannot create platform directory %s: %s", dir,
                       SGXRA__ERRNO_STR(errno));
  err = sgxra__state_check(cx, dir, NULL, "platform directory");
  if (err) return err;
  /* Under the folder's lock: of two inits of one folder, one makes the
   * platform and the other finds it. */
  int lock = -1;
  err = sgxra__lock_dir(cx, dir, &lock);
  if (err) return err;
  err = state_path(cx, dir, &path);
  if (err) goto done;
  if (stat(path, &st) == 0) {
    err = sgxra__fail(cx, SGXRA_E_EMU_STATE_EXISTS,
                      "%s already exists: this folder already holds an "
                      "emulated platform; load it, or choose an empty folder",
                      path);
    goto done;
  }
  err = sgxra_emu_platform_new(cx, cfg, &p);
  if (err) goto done;
  err = set_dir(cx, p, dir);
  if (err) goto done;
  err = sgxra_emu_platform_save(cx, p, dir);
  if (err) goto done;
  if (out_p) {
    *out_p = p;
    p = NULL;
  }
done:
  sgxra__unlock_dir(lock);
  sgxra_emu_platform_free(p);
  free(path);
  return err;
}

/* ---- loading ---- */

/* A secret field's value is never quoted in the message (it would end up
 * on a terminal or in a log): only its length is. */
static sgxra_err get_hex(sgxra_ctx *cx, json_t *o, const char *path,
                         const char *key, int secret, uint8_t *out, size_t n) {
  json_t *v = json_object_get(o, key);
  if (!json_is_string(v))
    return sgxra__fail(cx, SGXRA_E_EMU_STATE,
                       "%s: \"%s\" must be a hex string of %zu bytes", path,
                       key, n);
  if (sgxra_hex_decode(cx, json_string_value(v), json_string_length(v), out,
                       n) == SGXRA_OK)
    return SGXRA_OK;
  sgxra_wipe(out, n);
  if (secret)
    return sgxra__fail(cx, SGXRA_E_EMU_STATE,
                       "%s: \"%s\" must be %zu hex digits, found %zu "
                       "characters that are not (value not shown: secret)",
                       path, key, 2 * n, json_string_length(v));
  return sgxra__fail(cx, SGXRA_E_EMU_STATE,
                     "%s: \"%s\" must be %zu hex digits, found \"%.40s\"", path,
                     key, 2 * n, json_string_value(v));
}

static sgxra_err get_int(sgxra_ctx *cx, json_t *o, const char *path,
                         const char *key, json_int_t max, json_int_t *out) {
  *out = 0; /* outputs are set on every path, the error ones included */
  json_t *v = json_object_get(o, key);
  if (!json_is_integer(v) || json_integer_value(v) < 0 ||
      json_integer_value(v) > max)
    return sgxra__fail(cx, SGXRA_E_EMU_STATE,
                       "%s: \"%s\" must be an integer 0..%lld", path, key,
                       (long long)max);
  *out = json_integer_value(v);
  return SGXRA_OK;
}

sgxra_err sgxra_emu_platform_load(sgxra_ctx *cx, const char *dir,
                                  sgxra_emu_platform **out_p) {
  sgxra_emu_platform *p = NULL;
  char *path = NULL;
  uint8_t *buf = NULL;
  size_t len = 0;
  json_t *o = NULL;
  json_error_t jerr;
  json_int_t v;
  sgxra_err err;

  *out_p = NULL;
  static const char *const secrets[] = {SGXRA_EMU_STATE_FILE, NULL};
  err = sgxra__state_check(cx, dir, secrets, "platform directory");
  if (err) return err;
  err = state_path(cx, dir, &path);
  if (err) return err;
  struct stat st;
  char *qs = sgxra__state_path(dir, "qe.sigstruct");
  int orphan =
      qs && stat(path, &st) != 0 && errno == ENOENT && stat(qs, &st) == 0;
  free(qs);
  if (orphan) {
    err = sgxra__fail(cx, SGXRA_E_EMU_STATE_INCOMPLETE,
                      "platform %s is incomplete: it has no %s (its "
                      "initialisation was interrupted or the file was "
                      "removed); remove it and initialise it again: 'rm -r "
                      "%s && sgxra platform init %s'",
                      dir, SGXRA_EMU_STATE_FILE, dir, dir);
    goto done;
  }
  if (sgxra_file_read(cx, path, STATE_CAP, &buf, &len) != SGXRA_OK) {
    char why[SGXRA_CTX_MSG_SIZE];
    snprintf(why, sizeof why, "%s", sgxra_ctx_message(cx));
    err = sgxra__fail(cx, SGXRA_E_EMU_STATE,
                      "cannot read the platform state (%s): run 'sgxra "
                      "platform init %s' first",
                      why, dir);
    goto done;
  }
  o = json_loadb((const char *)buf, len, 0, &jerr);
  if (!json_is_object(o)) {
    err = sgxra__fail(cx, SGXRA_E_EMU_STATE,
                      "%s: not a JSON object (line %d: %s)", path, jerr.line,
                      o ? "top level is not an object" : jerr.text);
    goto done;
  }
  json_t *fmt = json_object_get(o, "format");
  if (!json_is_string(fmt) || strcmp(json_string_value(fmt), STATE_FORMAT)) {
    err = sgxra__fail(cx, SGXRA_E_EMU_STATE, "%s: \"format\" must be \"%s\"",
                      path, STATE_FORMAT);
    goto done;
  }
  err = get_int(cx, o, path, "version", 1000, &v);
  if (!err && v != STATE_VERSION)
    err = sgxra__fail(cx, SGXRA_E_EMU_STATE,
                      "%s: state version %lld, this sgxra reads version %d",
                      path, (long long)v, STATE_VERSION);
  if (err) goto done;
  err = platform_alloc(cx, &p);
  if (err) goto done;
  err = get_hex(cx, o, path, "root_key", 1, p->root_key, sizeof p->root_key);
  if (!err) err = sgxra__emu_fuses(cx, p);
  if (!err)
    err = get_hex(cx, o, path, "ownerepoch", 1, p->ownerepoch,
                  sizeof p->ownerepoch);
  if (!err)
    err =
        get_hex(cx, o, path, "cpusvn", 0, p->cfg.cpusvn, sizeof p->cfg.cpusvn);
  if (!err)
    err = get_hex(cx, o, path, "fmspc", 0, p->cfg.fmspc, sizeof p->cfg.fmspc);
  if (!err) err = get_int(cx, o, path, "pcesvn", 0xffff, &v);
  if (!err) p->cfg.pcesvn = (uint16_t)v;
  if (!err) err = get_int(cx, o, path, "pceid", 0xffff, &v);
  if (!err) p->cfg.pceid = (uint16_t)v;
  if (err) goto done;
  json_t *svns = json_object_get(o, "tcb_svns");
  if (!json_is_array(svns) || json_array_size(svns) != SGXRA_EMU_TCB_SVNS) {
    err = sgxra__fail(cx, SGXRA_E_EMU_STATE,
                      "%s: \"tcb_svns\" must be an array of %d integers", path,
                      SGXRA_EMU_TCB_SVNS);
    goto done;
  }
  for (size_t i = 0; i < SGXRA_EMU_TCB_SVNS; i++) {
    json_t *e = json_array_get(svns, i);
    if (!json_is_integer(e) || json_integer_value(e) < 0 ||
        json_integer_value(e) > 255) {
      err = sgxra__fail(cx, SGXRA_E_EMU_STATE,
                        "%s: \"tcb_svns\"[%zu] must be an integer 0..255", path,
                        i);
      goto done;
    }
    p->cfg.tcb_svns[i] = (uint8_t)json_integer_value(e);
  }
  err = sgxra_random(cx, p->report_keyid, sizeof p->report_keyid);
  if (!err) err = set_dir(cx, p, dir);
  if (err) goto done;
  *out_p = p;
  p = NULL;

done:
  sgxra_emu_platform_free(p);
  json_decref(o);
  if (buf) {
    sgxra_wipe(buf, len);
    free(buf);
  }
  free(path);
  return err;
}
