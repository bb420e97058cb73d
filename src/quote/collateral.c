/* The collateral set, validated once: see sgxra/collateral.h.
 *
 * Which dates count follows Intel's QvE (qve_get_collateral_dates): root CA
 * CRL and PCK CRL (thisUpdate / nextUpdate), every certificate of the PCK
 * CRL issuer chain, the TCB Info issuer chain, the QE Identity issuer chain
 * and the quote's PCK chain (notBefore / notAfter), TCB Info and QE
 * Identity (issueDate / nextUpdate).  The collateral is expired when the
 * earliest expiration date is <= the verification time. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quote/collateral_internal.h"
#include "quote/x509_internal.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"

struct sgxra_collateral {
  sgxra_x509_chain *pck_crl_chain;
  sgxra_x509_chain *tcb_chain;
  sgxra_x509_chain *qe_chain;
  sgxra_x509_chain *bundled_root; /* optional root_ca.pem */
  sgxra_crl *root_crl;
  sgxra_crl *pck_crl;
  sgxra_tcbinfo *tcb;
  sgxra_qeidentity *qe;
  sgxra_collateral_window win;
  /* Set by validate: a copy of the trust root it used, what the PCK chain
   * check compares with, and the flags. */
  sgxra_x509_chain *root;
  sgxra__pck_anchor anchor;
  /* Set by validate: the TCB signing certificate of the TCB Info and QE
   * Identity issuer chains (borrowed from them), found in any order. */
  const sgxra_x509_cert *tcb_signer;
  const sgxra_x509_cert *qe_signer;
  const sgxra_x509_cert *pck_ca; /* from pck_crl_chain */
  int validated;
  int expired;
  /* A view (sgxra__collateral_validate_view): the parsed pieces above are
   * borrowed from another sgxra_collateral, only the validation state is
   * owned. */
  int is_view;
  /* Loaded by sgxra_collateral_load_deferred() from content that does not
   * parse: no pieces, and validation fails with this error and message
   * (owned by the loaded object, borrowed by its views). */
  sgxra_err load_err;
  char *load_msg;
  /* the step of Intel's order load_err belongs to (sgxra__coll_step) */
  sgxra__coll_step load_step;
  /* Only during validation (sgxra__collateral_validate_view): Intel's
   * step 12 for one quote's PCK chain, run between the CRLs and the TCB
   * Info (NULL: none). */
  sgxra__pck_step_fn pck_step;
  void *pck_step_arg;
};

static void drop_pieces(sgxra_collateral *c);

/* Drop what validate made. */
static void unvalidate(sgxra_collateral *c) {
  sgxra__pck_anchor_clear(&c->anchor);
  sgxra_x509_chain_free(c->root);
  c->root = NULL;
  c->tcb_signer = c->qe_signer = c->pck_ca = NULL;
  c->validated = 0;
  c->expired = 0;
}

void sgxra_collateral_free(sgxra_collateral *c) {
  if (c == NULL) return;
  unvalidate(c);
  if (c->is_view) {
    free(c);
    return;
  }
  free(c->load_msg);
  drop_pieces(c);
  sgxra_x509_chain_free(c->bundled_root);
  free(c);
}

static void win_add(sgxra_collateral_window *w, int *first, int64_t issue,
                    int64_t expiry) {
  if (*first) {
    w->earliest_issue = w->latest_issue = issue;
    w->earliest_expiry = w->latest_expiry = expiry;
    *first = 0;
    return;
  }
  if (issue < w->earliest_issue) w->earliest_issue = issue;
  if (issue > w->latest_issue) w->latest_issue = issue;
  if (expiry < w->earliest_expiry) w->earliest_expiry = expiry;
  if (expiry > w->latest_expiry) w->latest_expiry = expiry;
}

static void win_add_chain(sgxra_collateral_window *w, int *first,
                          const sgxra_x509_chain *ch) {
  for (size_t i = 0; i < sgxra_x509_chain_count(ch); i++)
    win_add(w, first, ch->certs[i].not_before, ch->certs[i].not_after);
}

static void compute_window(sgxra_collateral *c) {
  int first = 1;
  memset(&c->win, 0, sizeof(c->win));
  win_add(&c->win, &first, sgxra_crl_this_update(c->root_crl),
          sgxra_crl_next_update(c->root_crl));
  win_add(&c->win, &first, sgxra_crl_this_update(c->pck_crl),
          sgxra_crl_next_update(c->pck_crl));
  win_add_chain(&c->win, &first, c->pck_crl_chain);
  win_add_chain(&c->win, &first, c->tcb_chain);
  win_add_chain(&c->win, &first, c->qe_chain);
  win_add(&c->win, &first, c->tcb->issue_date, c->tcb->next_update);
  win_add(&c->win, &first, c->qe->issue_date, c->qe->next_update);
}

static sgxra_err need(sgxra_ctx *cx, const uint8_t *p, size_t n,
                      const char *what) {
  if (p == NULL || n == 0)
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_MISSING,
                       "collateral lacks the %s (empty input)", what);
  return SGXRA_OK;
}

/* Intel's QvE takes each text item (the three PEM chains, TCB Info, QE
 * Identity) as a C string whose size counts its NUL (qve.cpp
 * is_collateral_deep_copied: strnlen == size - 1): a NUL byte inside the
 * file is a misuse of the call, SGX_QL_ERROR_INVALID_PARAMETER.  An empty
 * CRL cannot be handed to the enclave either. */
static sgxra_err text_has_no_nul(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                 const char *what) {
  const uint8_t *z = n ? memchr(p, 0, n) : NULL;
  if (z != NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: NUL byte at offset %zu: a text collateral file "
                       "must not contain one (Intel's QvE refuses it as an "
                       "invalid parameter)",
                       what, (size_t)(z - p));
  return SGXRA_OK;
}

/* Parse every piece, checking in the order of Intel's QvE
 * (sgx_qve_verify_quote: the parameter checks, TcbInfo::parse, then
 * qve_get_collateral_dates: QE Identity issuer chain, TCB Info issuer
 * chain, QE Identity, root CA CRL, PCK CRL, PCK CRL issuer chain), so the
 * first failure is the one Intel reports.  `qve`: as Intel's QvE reads
 * them (CRL encodings, empty and NUL-holding items); otherwise an empty
 * required item is SGXRA_E_COLLATERAL_MISSING. */
static sgxra_err load_pieces(sgxra_ctx *cx, const sgxra_collateral_buffers *b,
                             int qve, sgxra_collateral *c,
                             sgxra__coll_step *step) {
  sgxra_err e;
  *step = SGXRA__COLL_STEP_PARAMETERS;
  if (!qve) {
    if ((e = need(cx, b->pck_crl_issuer_chain, b->pck_crl_issuer_chain_len,
                  "PCK CRL issuer chain")) != SGXRA_OK ||
        (e = need(cx, b->root_ca_crl, b->root_ca_crl_len, "root CA CRL")) !=
            SGXRA_OK ||
        (e = need(cx, b->pck_crl, b->pck_crl_len, "PCK CRL")) != SGXRA_OK ||
        (e = need(cx, b->tcb_info, b->tcb_info_len, "TCB Info")) != SGXRA_OK ||
        (e = need(cx, b->tcb_info_issuer_chain, b->tcb_info_issuer_chain_len,
                  "TCB Info issuer chain")) != SGXRA_OK ||
        (e = need(cx, b->qe_identity, b->qe_identity_len, "QE Identity")) !=
            SGXRA_OK ||
        (e = need(cx, b->qe_identity_issuer_chain,
                  b->qe_identity_issuer_chain_len,
                  "QE Identity issuer chain")) != SGXRA_OK)
      return e;
  } else {
    if ((e = text_has_no_nul(cx, b->pck_crl_issuer_chain,
                             b->pck_crl_issuer_chain_len,
                             "PCK CRL issuer chain")) != SGXRA_OK ||
        (e = text_has_no_nul(cx, b->tcb_info_issuer_chain,
                             b->tcb_info_issuer_chain_len,
                             "TCB Info issuer chain")) != SGXRA_OK ||
        (e = text_has_no_nul(cx, b->tcb_info, b->tcb_info_len, "TCB Info")) !=
            SGXRA_OK ||
        (e = text_has_no_nul(cx, b->qe_identity_issuer_chain,
                             b->qe_identity_issuer_chain_len,
                             "QE Identity issuer chain")) != SGXRA_OK ||
        (e = text_has_no_nul(cx, b->qe_identity, b->qe_identity_len,
                             "QE Identity")) != SGXRA_OK)
      return e;
    if (b->root_ca_crl_len == 0 || b->pck_crl_len == 0)
      return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                         "the %s is empty (Intel's QvE refuses a zero-size "
                         "CRL buffer as an invalid parameter)",
                         b->root_ca_crl_len == 0 ? "root CA CRL" : "PCK CRL");
  }
  /* a NULL buffer reads as empty text (a parse error below) */
  static const uint8_t none[1] = {0};
#define BUF(m) (b->m != NULL ? b->m : none), (b->m != NULL ? b->m##_len : 0)
  *step = SGXRA__COLL_STEP_TCB_INFO;
  if ((e = sgxra_tcbinfo_parse(cx, BUF(tcb_info), &c->tcb)) != SGXRA_OK)
    return e; /* messages already start with "TCB Info" */
  *step = SGXRA__COLL_STEP_DATES;
  if ((e = sgxra_x509_chain_parse_pem(cx, BUF(qe_identity_issuer_chain),
                                      &c->qe_chain)) != SGXRA_OK) {
    sgxra__context(cx, e, "QE Identity issuer chain");
    return e;
  }
  if ((e = sgxra_x509_chain_parse_pem(cx, BUF(tcb_info_issuer_chain),
                                      &c->tcb_chain)) != SGXRA_OK) {
    sgxra__context(cx, e, "TCB Info issuer chain");
    return e;
  }
  if ((e = sgxra_qeidentity_parse(cx, BUF(qe_identity), &c->qe)) != SGXRA_OK)
    return e; /* messages already start with "QE Identity" */
  if ((e = qve ? sgxra__crl_parse_qve(cx, BUF(root_ca_crl), &c->root_crl)
               : sgxra_crl_parse(cx, BUF(root_ca_crl), &c->root_crl)) !=
      SGXRA_OK) {
    sgxra__context(cx, e, "root CA CRL");
    return e;
  }
  if ((e = qve ? sgxra__crl_parse_qve(cx, BUF(pck_crl), &c->pck_crl)
               : sgxra_crl_parse(cx, BUF(pck_crl), &c->pck_crl)) != SGXRA_OK) {
    sgxra__context(cx, e, "PCK CRL");
    return e;
  }
  if ((e = sgxra_x509_chain_parse_pem(cx, BUF(pck_crl_issuer_chain),
                                      &c->pck_crl_chain)) != SGXRA_OK) {
    sgxra__context(cx, e, "PCK CRL issuer chain");
    return e;
  }
#undef BUF
  return SGXRA_OK;
}

/* Free the parsed pieces of a loaded (not view) collateral. */
static void drop_pieces(sgxra_collateral *c) {
  sgxra_x509_chain_free(c->pck_crl_chain);
  sgxra_x509_chain_free(c->tcb_chain);
  sgxra_x509_chain_free(c->qe_chain);
  sgxra_crl_free(c->root_crl);
  sgxra_crl_free(c->pck_crl);
  sgxra_tcbinfo_free(c->tcb);
  sgxra_qeidentity_free(c->qe);
  c->pck_crl_chain = c->tcb_chain = c->qe_chain = NULL;
  c->root_crl = c->pck_crl = NULL;
  c->tcb = NULL;
  c->qe = NULL;
}

static sgxra_err load(sgxra_ctx *cx, const sgxra_collateral_buffers *b,
                      int deferred, sgxra_collateral **out_coll) {
  if (out_coll == NULL || b == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_load: NULL argument");
  *out_coll = NULL;
  sgxra_collateral *c = calloc(1, sizeof(*c));
  if (c == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "collateral");
  sgxra_err e = SGXRA_OK;
  /* The optional bundled root is sgxra's, not Intel's: it fails the load
   * either way. */
  if (b->root_ca_len != 0 &&
      (e = sgxra_x509_chain_parse_pem(cx, b->root_ca, b->root_ca_len,
                                      &c->bundled_root)) != SGXRA_OK) {
    sgxra__context(cx, e, "root CA certificate");
    sgxra_collateral_free(c);
    return e;
  }
  sgxra__coll_step step;
  e = load_pieces(cx, b, deferred, c, &step);
  if (e != SGXRA_OK && deferred && e != SGXRA_E_NO_MEMORY) {
    /* keep the outcome for validation: see sgxra_collateral_load_deferred */
    drop_pieces(c);
    c->load_err = e;
    c->load_step = step;
    c->load_msg = strdup(sgxra_ctx_message(cx));
    if (c->load_msg == NULL) {
      sgxra_collateral_free(c);
      return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "collateral");
    }
    sgxra_ctx_clear(cx);
    *out_coll = c;
    return SGXRA_OK;
  }
  if (e != SGXRA_OK) {
    sgxra_collateral_free(c);
    return e;
  }
  compute_window(c);
  *out_coll = c;
  return SGXRA_OK;
}

sgxra_err sgxra_collateral_load(sgxra_ctx *cx,
                                const sgxra_collateral_buffers *b,
                                sgxra_collateral **out_coll) {
  return load(cx, b, 0, out_coll);
}

sgxra_err sgxra_collateral_load_deferred(sgxra_ctx *cx,
                                         const sgxra_collateral_buffers *b,
                                         sgxra_collateral **out_coll) {
  return load(cx, b, 1, out_coll);
}

sgxra_err sgxra_collateral_load_error(const sgxra_collateral *c) {
  return c != NULL ? c->load_err : SGXRA_OK;
}

sgxra_err sgxra__collateral_load_fault(const sgxra_collateral *c,
                                       sgxra__coll_step *out_step,
                                       const char **out_msg) {
  *out_step = SGXRA__COLL_STEP_NONE;
  *out_msg = "";
  if (c == NULL || c->load_err == SGXRA_OK) return SGXRA_OK;
  *out_step = c->load_step;
  *out_msg = c->load_msg != NULL ? c->load_msg : "";
  return c->load_err;
}

/* Read dir/name, opening it once (no exists-then-read race) with the one
 * reader of sgxra/file.h: absent -> SGXRA_E_COLLATERAL_MISSING when
 * required, an empty buffer when optional; present but unreadable -- for an
 * optional file too -- -> SGXRA_E_IO "cannot read FILE: permission denied";
 * a FIFO, device or directory -> SGXRA_E_NOT_REGULAR_FILE; larger than the
 * cap -> SGXRA_E_TOO_LARGE before reading.  *out is NUL-terminated (not
 * counted). */
static sgxra_err read_piece(sgxra_ctx *cx, const char *dir, const char *name,
                            int optional, uint8_t **out, size_t *out_len) {
  char path[4096];
  *out = NULL;
  *out_len = 0;
  int k = snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (k < 0 || (size_t)k >= sizeof(path))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "collateral directory path too long");
  sgxra_err e = sgxra_file_read_ex(cx, path, SGXRA_COLLATERAL_FILE_MAX,
                                   SGXRA_FILE_MAY_BE_ABSENT, out, out_len);
  if (e != SGXRA_OK) return e;
  if (*out == NULL && optional) return SGXRA_OK;
  if (*out == NULL)
    return sgxra__fail(
        cx, SGXRA_E_COLLATERAL_MISSING,
        "collateral file %s is missing: a bundle directory holds "
        "%s, %s, %s, %s, %s, %s and %s",
        path, SGXRA_COLLATERAL_FILE_PCK_CRL_CHAIN,
        SGXRA_COLLATERAL_FILE_ROOT_CRL, SGXRA_COLLATERAL_FILE_PCK_CRL,
        SGXRA_COLLATERAL_FILE_TCB_INFO, SGXRA_COLLATERAL_FILE_TCB_CHAIN,
        SGXRA_COLLATERAL_FILE_QE_IDENTITY, SGXRA_COLLATERAL_FILE_QE_CHAIN);
  return SGXRA_OK;
}

/* The items of sgxra_collateral_buffers, in their one order. */
static const struct {
  const char *name, *file;
  size_t ptr, len; /* offsets in sgxra_collateral_buffers */
} items[SGXRA_COLLATERAL_ITEMS] = {
#define ITEM(m, f)                                                             \
  {                                                                            \
#m, f, offsetof(sgxra_collateral_buffers, m),                              \
        offsetof(sgxra_collateral_buffers, m##_len)                            \
  }
    ITEM(pck_crl_issuer_chain, SGXRA_COLLATERAL_FILE_PCK_CRL_CHAIN),
    ITEM(root_ca_crl, SGXRA_COLLATERAL_FILE_ROOT_CRL),
    ITEM(pck_crl, SGXRA_COLLATERAL_FILE_PCK_CRL),
    ITEM(tcb_info, SGXRA_COLLATERAL_FILE_TCB_INFO),
    ITEM(tcb_info_issuer_chain, SGXRA_COLLATERAL_FILE_TCB_CHAIN),
    ITEM(qe_identity, SGXRA_COLLATERAL_FILE_QE_IDENTITY),
    ITEM(qe_identity_issuer_chain, SGXRA_COLLATERAL_FILE_QE_CHAIN),
    ITEM(root_ca, SGXRA_COLLATERAL_FILE_ROOT_CA),
#undef ITEM
};

const char *sgxra_collateral_item_name(unsigned i) {
  return i < SGXRA_COLLATERAL_ITEMS ? items[i].name : NULL;
}

const char *sgxra_collateral_item_file(unsigned i) {
  return i < SGXRA_COLLATERAL_ITEMS ? items[i].file : NULL;
}

const uint8_t **sgxra_collateral_item_at(sgxra_collateral_buffers *b,
                                         unsigned i, size_t **out_len) {
  if (b == NULL || i >= SGXRA_COLLATERAL_ITEMS || out_len == NULL) return NULL;
  *out_len = (size_t *)(void *)((char *)b + items[i].len);
  return (const uint8_t **)(void *)((char *)b + items[i].ptr);
}

void sgxra_collateral_buffers_free(sgxra_collateral_buffers *b) {
  if (b == NULL) return;
  for (unsigned i = 0; i < SGXRA_COLLATERAL_ITEMS; i++) {
    size_t *n;
    const uint8_t **p = sgxra_collateral_item_at(b, i, &n);
    free((void *)*p);
  }
  memset(b, 0, sizeof *b);
}

sgxra_err sgxra_collateral_read_dir(sgxra_ctx *cx, const char *dir,
                                    sgxra_collateral_buffers *out) {
  if (out == NULL || dir == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_read_dir: NULL argument");
  memset(out, 0, sizeof *out);
  sgxra_err e = SGXRA_OK;
  for (unsigned i = 0; i < SGXRA_COLLATERAL_ITEMS && e == SGXRA_OK; i++) {
    size_t *n;
    const uint8_t **p = sgxra_collateral_item_at(out, i, &n);
    uint8_t *got = NULL;
    e = read_piece(cx, dir, items[i].file, i == SGXRA_COLLATERAL_ITEMS - 1,
                   &got, n);
    *p = got;
  }
  if (e) sgxra_collateral_buffers_free(out);
  return e;
}

static sgxra_err load_dir(sgxra_ctx *cx, const char *dir, int deferred,
                          sgxra_collateral **out_coll) {
  if (out_coll == NULL || dir == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_load_dir: NULL argument");
  *out_coll = NULL;
  sgxra_collateral_buffers b;
  sgxra_err e = sgxra_collateral_read_dir(cx, dir, &b);
  if (e == SGXRA_OK) e = load(cx, &b, deferred, out_coll);
  sgxra_collateral_buffers_free(&b);
  return e;
}

sgxra_err sgxra_collateral_load_dir(sgxra_ctx *cx, const char *dir,
                                    sgxra_collateral **out_coll) {
  return load_dir(cx, dir, 0, out_coll);
}

sgxra_err sgxra_collateral_load_dir_deferred(sgxra_ctx *cx, const char *dir,
                                             sgxra_collateral **out_coll) {
  return load_dir(cx, dir, 1, out_coll);
}

/* Remove the files of `tmp` written so far, and tmp. */
static void remove_partial(const char *tmp) {
  char path[4096 + 64];
  for (unsigned i = 0; i < SGXRA_COLLATERAL_ITEMS; i++) {
    snprintf(path, sizeof path, "%s/%s", tmp, items[i].file);
    unlink(path);
  }
  rmdir(tmp);
}

sgxra_err sgxra_collateral_write_dir(sgxra_ctx *cx, const char *dir,
                                     const sgxra_collateral_buffers *b) {
  if (dir == NULL || b == NULL || dir[0] == '\0')
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_write_dir: NULL or empty argument");
  size_t dl = strlen(dir);
  while (dl > 1 && dir[dl - 1] == '/') dl--; /* "out/" -> "out" */
  if (dl > 4096)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%.64s...: path too long",
                       dir);
  struct stat sb;
  if (stat(dir, &sb) == 0) {
    /* rmdir succeeds only on an empty directory: rename() then creates
     * it again in one step. */
    if (!S_ISDIR(sb.st_mode) || rmdir(dir) != 0)
      return sgxra__fail(cx, SGXRA_E_IO,
                         "%s exists and is not empty: give a new or empty "
                         "directory",
                         dir);
  } else if (errno != ENOENT) {
    return sgxra__fail(cx, SGXRA_E_IO, "%s: %s", dir, strerror(errno));
  }
  char tmp[4096 + 32];
  snprintf(tmp, sizeof tmp, "%.*s.tmp-XXXXXX", (int)dl, dir);
  if (mkdtemp(tmp) == NULL)
    return sgxra__fail(cx, SGXRA_E_IO,
                       "cannot create a directory beside %s: %s", dir,
                       strerror(errno));
  sgxra_err e = SGXRA_OK;
  sgxra_collateral_buffers w = *b;
  for (unsigned i = 0; i < SGXRA_COLLATERAL_ITEMS && e == SGXRA_OK; i++) {
    size_t *n;
    const uint8_t **p = sgxra_collateral_item_at(&w, i, &n);
    if (*p == NULL || *n == 0) {
      if (i == SGXRA_COLLATERAL_ITEMS - 1) continue; /* root_ca.pem */
      e = sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                      "sgxra_collateral_write_dir: item %s is empty",
                      items[i].name);
      break;
    }
    char path[sizeof tmp + 64];
    snprintf(path, sizeof path, "%s/%s", tmp, items[i].file);
    e = sgxra_file_write(cx, path, *p, *n, 0);
  }
  if (e == SGXRA_OK && (chmod(tmp, 0755) != 0 || rename(tmp, dir) != 0))
    e = sgxra__fail(cx, SGXRA_E_IO,
                    "cannot move the bundle into place at %s: %s", dir,
                    strerror(errno));
  if (e != SGXRA_OK) remove_partial(tmp);
  return e;
}

static int is_intel_root(const sgxra_x509_cert *root) {
  sgxra_x509_chain *intel = NULL;
  if (sgxra_x509_intel_root(NULL, &intel) != SGXRA_OK) return 0;
  int r = sgxra_x509_cert_equal(root, &intel->certs[0]);
  sgxra_x509_chain_free(intel);
  return r;
}

/* The PCK CA of the PCK CRL issuer chain, in any position: the CA
 * certificate (not self-issued) whose subject CN is the PCK CRL's issuer
 * CN; NULL when there is none (the PCK CRL is then checked against each
 * quote's own CA, as Intel's verifier always does). */
static const sgxra_x509_cert *pck_ca_of(const sgxra_collateral *c) {
  const sgxra_x509_chain *ch = c->pck_crl_chain;
  for (size_t i = 0; i < ch->count; i++) {
    const sgxra_x509_cert *x = &ch->certs[i];
    if (x->is_ca && !sgxra_x509_cert_is_self_issued(x) && c->pck_crl &&
        strcmp(x->subject_cn, sgxra_crl_issuer_cn(c->pck_crl)) == 0)
      return x;
  }
  return NULL;
}

/* The TCB Info or QE Identity issuer chain, read as a set as Intel's QVL
 * does (CertificateChain: order is free; the root is the self-issued
 * certificate, the signer the other one).  Intel's rules, each a named
 * failure the verdict table maps:
 *  - exactly 2 certificates (QuoteVerification.cpp: a chain of another
 *    length is STATUS_UNSUPPORTED_CERT_FORMAT) -> SGXRA_E_X509_CHAIN_LENGTH;
 *  - a self-issued root among them (TCBSigningChain: STATUS_SGX_ROOT_CA_
 *    MISSING) -> SGXRA_E_X509_CHAIN_LINK;
 *  - a signer that is not self-issued (STATUS_SGX_TCB_SIGNING_CERT_MISSING)
 *    -> SGXRA_E_COLLATERAL_TCB_SIGNER;
 *  - the signer issued by the root, the root the trust root
 *    (sgxra_x509_chain_verify on the ordered pair). */
static sgxra_err issuer_chain_check(sgxra_ctx *cx, const sgxra_x509_chain *ch,
                                    const sgxra_x509_cert *root, int64_t now,
                                    const char *what,
                                    const sgxra_x509_cert **out_signer) {
  *out_signer = NULL;
  if (ch->count != 2)
    return sgxra__fail(cx, SGXRA_E_X509_CHAIN_LENGTH,
                       "%s issuer chain has %zu certificate(s); it must hold "
                       "exactly 2, the TCB signing certificate and the root "
                       "CA (in any order)",
                       what, ch->count);
  size_t r = 2;
  for (size_t i = 0; i < 2; i++)
    if (sgxra_x509_cert_is_self_issued(&ch->certs[i])) r = i;
  if (r == 2)
    return sgxra__fail(cx, SGXRA_E_X509_CHAIN_LINK,
                       "%s issuer chain has no self-signed root CA ('%s', "
                       "'%s'): add the root CA certificate",
                       what, ch->certs[0].subject_cn, ch->certs[1].subject_cn);
  const sgxra_x509_cert *signer = &ch->certs[1 - r];
  if (sgxra_x509_cert_is_self_issued(signer))
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_TCB_SIGNER,
                       "%s issuer chain holds two self-signed certificates "
                       "('%s', '%s') and no TCB signing certificate",
                       what, ch->certs[0].subject_cn, ch->certs[1].subject_cn);
  sgxra_x509_chain ordered;
  memset(&ordered, 0, sizeof ordered);
  ordered.count = 2;
  ordered.certs[0] = *signer;
  ordered.certs[1] = ch->certs[r];
  sgxra_err e = sgxra_x509_chain_verify(cx, &ordered, root, now, NULL);
  if (e != SGXRA_OK) {
    sgxra__context(cx, e, "%s issuer chain", what);
    return e;
  }
  *out_signer = signer;
  return SGXRA_OK;
}

static sgxra_err validate(sgxra_ctx *cx, sgxra_collateral *c,
                          const sgxra_x509_cert *root, int64_t now,
                          int *out_expired) {
  sgxra_err e;
  if (c->bundled_root != NULL &&
      !sgxra_x509_cert_equal(&c->bundled_root->certs[0], root))
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_ROOT_MISMATCH,
                       "the bundle's root_ca.pem ('%s') is not the trust "
                       "root ('%s'): the collateral was made for another "
                       "root",
                       c->bundled_root->certs[0].subject_cn, root->subject_cn);
  /* Time is not checked here: see the expired flag at the end.  The
   * checks run in Intel's order (sgx_qve_verify_quote, see verify.c):
   * step 12, QVL's PCK certificate verification, checks the root CA CRL
   * against the root and the PCK CRL against the PCK CA; step 13 the TCB
   * Info issuer chain, its signer and the TCB Info signature; step 14 the
   * same for the QE Identity.  The first failure is Intel's answer. */
  /* Intel's QvE only parses the PCK CRL issuer chain, for its dates
   * (qve_get_collateral_dates): order, repeats, extra or missing
   * certificates do not matter, and the PCK CRL is checked against the
   * quote's own PCK CA (PckCertVerifier).  sgxra takes from the chain the
   * PCK CA that issued the PCK CRL, if it holds one issued by the trust
   * root, to check the CRL once here; otherwise (pck_ca NULL) the CRL is
   * checked against each quote's CA (sgxra__pck_check_chain). */
  const sgxra_x509_cert *pck_ca = pck_ca_of(c);
  if (pck_ca != NULL) {
    sgxra_x509_chain one;
    memset(&one, 0, sizeof one);
    one.count = 1;
    one.certs[0] = *pck_ca;
    if (sgxra_x509_chain_verify(cx, &one, root, now, NULL) != SGXRA_OK) {
      sgxra_ctx_clear(cx);
      pck_ca = NULL;
    }
  }
  c->pck_ca = pck_ca;
  /* step 12 (QVL PckCertVerifier::verify): the quote's PCK chain (its
   * certificates and links, sgxra_verify_quote's pck_step), then the CRLs'
   * signatures */
  if ((e = sgxra__pck_anchor_prepare(cx, &c->anchor, root, c->pck_ca,
                                     c->pck_crl, c->root_crl)) != SGXRA_OK)
    return e;
  if (c->pck_step != NULL &&
      (e = c->pck_step(cx, &c->anchor, c->pck_step_arg)) != SGXRA_OK)
    return e;
  if ((e = sgxra_crl_verify(cx, c->root_crl, root)) != SGXRA_OK) {
    sgxra__context(cx, e, "root CA CRL");
    return e;
  }
  if (pck_ca != NULL &&
      (e = sgxra_crl_verify(cx, c->pck_crl, pck_ca)) != SGXRA_OK) {
    sgxra__context(cx, e, "PCK CRL");
    return e;
  }
  if (pck_ca != NULL && sgxra_crl_is_revoked(c->root_crl, pck_ca))
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_SIGNER_REVOKED,
                       "certificate '%s' is revoked by the root CA CRL: "
                       "the collateral it signs cannot be trusted",
                       pck_ca->subject_cn);
  /* steps 13 and 14 (QVL TCBInfoVerifier, EnclaveIdentityVerifier) */
  int intel = is_intel_root(root);
  for (int i = 0; i < 2; i++) {
    const char *what = i == 0 ? "TCB Info" : "QE Identity";
    const sgxra_x509_cert **signer = i == 0 ? &c->tcb_signer : &c->qe_signer;
    if ((e = issuer_chain_check(cx, i == 0 ? c->tcb_chain : c->qe_chain, root,
                                now, what, signer)) != SGXRA_OK)
      return e;
    const sgxra_x509_cert *sg = *signer;
    /* Under Intel's root the signer of TCB Info and QE Identity is "Intel
     * SGX TCB Signing", an end-entity certificate; anything else means the
     * files were mixed up. */
    if (sg->is_ca ||
        (intel && strcmp(sg->subject_cn, "Intel SGX TCB Signing") != 0))
      return sgxra__fail(cx, SGXRA_E_COLLATERAL_TCB_SIGNER,
                         "%s issuer chain starts with '%s'%s, expected the "
                         "TCB signing certificate ('Intel SGX TCB Signing')",
                         what, sg->subject_cn, sg->is_ca ? " (a CA)" : "");
    if (sgxra_crl_is_revoked(c->root_crl, sg))
      return sgxra__fail(cx, SGXRA_E_COLLATERAL_SIGNER_REVOKED,
                         "certificate '%s' is revoked by the root CA CRL: "
                         "the collateral it signs cannot be trusted",
                         sg->subject_cn);
    if (i == 0 && (e = sgxra_tcbinfo_verify(cx, c->tcb, sg->key)) != SGXRA_OK)
      return e;
    if (i == 1 && (e = sgxra_qeidentity_verify(cx, c->qe, sg->key)) != SGXRA_OK)
      return e;
  }
  /* Intel's flag counts expiry dates only (earliest_expiration_date <=
   * time; the verifiers compare notAfter alone, never notBefore).  The
   * window holds every certificate of the three chains; the trust root is
   * added in case a chain stops below it. */
  *out_expired = sgxra_collateral_expired_at(c, now) || root->not_after < now;
  return SGXRA_OK;
}

/* Validate c in place (c's validation state is replaced). */
static sgxra_err validate_into(sgxra_ctx *cx, sgxra_collateral *c,
                               const sgxra_x509_cert *root, int64_t now) {
  unvalidate(c);
  sgxra_err e;
  /* collateral that did not parse (sgxra_collateral_load_deferred): its
   * parse error is the outcome */
  if (c->load_err != SGXRA_OK)
    return sgxra__fail(cx, c->load_err, "%s", c->load_msg);
  if (root == NULL)
    e = sgxra_x509_intel_root(cx, &c->root);
  else
    e = sgxra_x509_chain_parse_der(cx, root->der, root->der_len, &c->root);
  if (e != SGXRA_OK) return e;
  int expired = 0;
  e = validate(cx, c, &c->root->certs[0], now, &expired);
  if (e != SGXRA_OK) {
    unvalidate(c);
    return e;
  }
  c->expired = expired;
  c->validated = 1;
  return SGXRA_OK;
}

sgxra_err sgxra_collateral_validate(sgxra_ctx *cx, sgxra_collateral *c,
                                    const sgxra_x509_cert *root, int64_t now) {
  if (c == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_validate: NULL collateral");
  return validate_into(cx, c, root, now);
}

sgxra_err
sgxra__collateral_validate_view(sgxra_ctx *cx, const sgxra_collateral *c,
                                const sgxra_x509_cert *root, int64_t now,
                                sgxra__pck_step_fn pck_step, void *pck_step_arg,
                                sgxra_collateral **out_view) {
  *out_view = NULL;
  sgxra_collateral *v = calloc(1, sizeof *v);
  if (v == NULL)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "collateral: out of memory");
  /* the parsed pieces, borrowed (a view never frees them) */
  v->pck_crl_chain = c->pck_crl_chain;
  v->tcb_chain = c->tcb_chain;
  v->qe_chain = c->qe_chain;
  v->bundled_root = c->bundled_root;
  v->root_crl = c->root_crl;
  v->pck_crl = c->pck_crl;
  v->tcb = c->tcb;
  v->qe = c->qe;
  v->win = c->win;
  v->load_err = c->load_err;
  v->load_msg = c->load_msg;
  v->load_step = c->load_step;
  v->is_view = 1;
  v->pck_step = pck_step;
  v->pck_step_arg = pck_step_arg;
  sgxra_err e = validate_into(cx, v, root, now);
  v->pck_step = NULL;
  v->pck_step_arg = NULL;
  if (e != SGXRA_OK) {
    sgxra_collateral_free(v);
    return e;
  }
  *out_view = v;
  return SGXRA_OK;
}

const sgxra__pck_anchor *sgxra__collateral_anchor(const sgxra_collateral *c) {
  return c != NULL && c->validated ? &c->anchor : NULL;
}

int sgxra_collateral_is_validated(const sgxra_collateral *c) {
  return c != NULL && c->validated;
}

sgxra_collateral_window sgxra_collateral_dates(const sgxra_collateral *c) {
  sgxra_collateral_window w = {0, 0, 0, 0};
  return c ? c->win : w;
}

sgxra_collateral_window
sgxra_collateral_dates_with_chain(const sgxra_collateral *c,
                                  const sgxra_x509_chain *pck_chain) {
  sgxra_collateral_window w = sgxra_collateral_dates(c);
  if (c == NULL) return w;
  int first = 0;
  win_add_chain(&w, &first, pck_chain);
  return w;
}

int sgxra_collateral_expired(const sgxra_collateral *c) {
  return c != NULL && c->expired;
}

/* Intel's expired flag at `now`, one rule for every caller (the verifier,
 * validation, policy, the PCCS client):
 *  - the earliest expiry date <= now (qve.cpp qve_get_collateral_dates
 *    and `earliest_expiration_date <= expiration_check_date`);
 *  - now before the thisUpdate of the root CA CRL or the PCK CRL: a CRL is
 *    valid from thisUpdate to nextUpdate (QVL PckParser Validity::isValid,
 *    CrlStore::expired -> STATUS_SGX_CRL_EXPIRED, which QvE's
 *    is_expiration_error turns into the flag).
 * A certificate's notBefore and a JSON issueDate never count. */
int sgxra_collateral_expired_at(const sgxra_collateral *c, int64_t now) {
  if (c == NULL) return 0;
  if (c->win.earliest_expiry <= now ||
      (c->root && c->root->certs[0].not_after < now))
    return 1;
  return (c->root_crl && now < sgxra_crl_this_update(c->root_crl)) ||
         (c->pck_crl && now < sgxra_crl_this_update(c->pck_crl));
}

const sgxra_tcbinfo *sgxra_collateral_tcbinfo(const sgxra_collateral *c) {
  return c ? c->tcb : NULL;
}

const sgxra_qeidentity *sgxra_collateral_qeidentity(const sgxra_collateral *c) {
  return c ? c->qe : NULL;
}

const sgxra_x509_cert *sgxra_collateral_pck_ca(const sgxra_collateral *c) {
  if (c == NULL) return NULL;
  if (c->pck_ca) return c->pck_ca;
  if (c->pck_crl_chain == NULL || c->pck_crl_chain->count == 0) return NULL;
  const sgxra_x509_cert *ca = pck_ca_of(c);
  if (ca) return ca;
  /* No CA named like the CRL's issuer: the first that is not self-issued. */
  for (size_t i = 0; i < c->pck_crl_chain->count; i++)
    if (!sgxra_x509_cert_is_self_issued(&c->pck_crl_chain->certs[i]))
      return &c->pck_crl_chain->certs[i];
  return &c->pck_crl_chain->certs[0];
}

const sgxra_x509_cert *sgxra_collateral_root(const sgxra_collateral *c) {
  return c && c->root ? &c->root->certs[0] : NULL;
}

const sgxra_crl *sgxra_collateral_pck_crl(const sgxra_collateral *c) {
  return c ? c->pck_crl : NULL;
}

const sgxra_crl *sgxra_collateral_root_crl(const sgxra_collateral *c) {
  return c ? c->root_crl : NULL;
}

const sgxra_x509_cert *sgxra_collateral_tcb_signer(const sgxra_collateral *c) {
  if (c == NULL) return NULL;
  if (c->tcb_signer) return c->tcb_signer;
  if (c->tcb_chain == NULL || c->tcb_chain->count == 0) return NULL;
  /* Before validation: the first certificate that is not self-issued. */
  for (size_t i = 0; i < c->tcb_chain->count; i++)
    if (!sgxra_x509_cert_is_self_issued(&c->tcb_chain->certs[i]))
      return &c->tcb_chain->certs[i];
  return &c->tcb_chain->certs[0];
}

static sgxra_err need_validated(sgxra_ctx *cx, const sgxra_collateral *c) {
  if (c->validated) return SGXRA_OK;
  return sgxra__fail(cx, SGXRA_E_COLLATERAL_NOT_VALIDATED,
                     "collateral has not been validated: call "
                     "sgxra_collateral_validate() first");
}

/* Intel's per-quote flag: the earliest expiry of the collateral and the
 * chain <= now (expiry dates only, as validate). */
static int pck_expired(const sgxra_collateral *c, const sgxra__pck_chain *r,
                       int64_t now) {
  return sgxra_collateral_expired_at(c, now) || r->not_after_min <= now;
}

static void pck_context(sgxra_ctx *cx, const sgxra__pck_chain *r, sgxra_err e) {
  if (r->failed == SGXRA__PCK_PARSE || r->failed == SGXRA__PCK_CA_LINK ||
      r->failed == SGXRA__PCK_LEAF_LINK)
    sgxra__context(cx, e, "PCK certificate chain");
}

sgxra_err sgxra_collateral_check_pck_chain(sgxra_ctx *cx,
                                           const sgxra_collateral *c,
                                           const sgxra_x509_chain *pck_chain,
                                           int64_t now, int *out_expired) {
  if (out_expired) *out_expired = 0;
  if (c == NULL || pck_chain == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_check_pck_chain: NULL argument");
  sgxra_err e = need_validated(cx, c);
  if (e != SGXRA_OK) return e;
  sgxra__pck_chain r;
  memset(&r, 0, sizeof r);
  sgxra__pck_chain_clear(&r);
  e = sgxra__pck_check_chain(cx, &c->anchor, pck_chain, 0, &r);
  if (e != SGXRA_OK)
    pck_context(cx, &r, e);
  else if (out_expired)
    *out_expired = pck_expired(c, &r, now);
  return e;
}

sgxra_err sgxra_collateral_check_pck_pem(sgxra_ctx *cx,
                                         const sgxra_collateral *c,
                                         const uint8_t *pem, size_t n,
                                         int64_t now, int *out_expired,
                                         sgxra_x509_chain **out_leaf) {
  if (out_expired) *out_expired = 0;
  if (out_leaf == NULL || c == NULL || (pem == NULL && n != 0))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_check_pck_pem: NULL argument");
  *out_leaf = NULL;
  sgxra_err e = need_validated(cx, c);
  if (e != SGXRA_OK) return e;
  sgxra__pck_chain r;
  e = sgxra__pck_check_pem(cx, &c->anchor, pem, n, 0, &r);
  if (e != SGXRA_OK) {
    pck_context(cx, &r, e);
  } else {
    const sgxra_x509_cert *leaf = r.chain ? &r.chain->certs[0] : NULL;
    e = sgxra_x509_chain_parse_der(cx, leaf ? leaf->der : r.leaf_der,
                                   leaf ? leaf->der_len : r.leaf_der_len,
                                   out_leaf);
    if (e != SGXRA_OK)
      sgxra__context(cx, e, "PCK certificate");
    else if (out_expired)
      *out_expired = pck_expired(c, &r, now);
  }
  sgxra__pck_chain_clear(&r);
  return e;
}

void sgxra__collateral_chains(const sgxra_collateral *c,
                              const sgxra_x509_chain **out_pck_crl_chain,
                              const sgxra_x509_chain **out_tcb_chain,
                              const sgxra_x509_chain **out_qe_chain) {
  *out_pck_crl_chain = c ? c->pck_crl_chain : NULL;
  *out_tcb_chain = c ? c->tcb_chain : NULL;
  *out_qe_chain = c ? c->qe_chain : NULL;
}
