/* The simulated Intel CA and PCS collateral: see sgxra/intelca.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/atomic.h"
#include "core/internal.h"
#include "emu/state_internal.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/intelca.h"
#include "sgxra/qe.h"
#include "sgxra/timeutil.h"
#include "sgxra/x509.h"

#define ORG_NAME "sgxra TEST (not Intel)"
#define ROOT_CN "sgxra TEST SGX Root CA"
#define PCA_CN "sgxra TEST SGX PCK Platform CA"
#define XCA_CN "sgxra TEST SGX PCK Processor CA"
#define TCB_CN "sgxra TEST SGX TCB Signing"
#define PCK_CN "sgxra TEST SGX PCK Certificate"
#define CRL_DP_ROOT "http://127.0.0.1/sgx/certification/v4/rootcacrl"
#define CRL_DP_PCK                                                             \
  "http://127.0.0.1/sgx/certification/v4/pckcrl?ca=platform&encoding=der"
#define CRL_DP_PCK_PROC                                                        \
  "http://127.0.0.1/sgx/certification/v4/pckcrl?ca=processor&encoding=der"
#define PCKCERT_FILE_CAP 64 /* records kept per PPID */
#define ADVISORY_1 "SGXRA-TEST-SA-00001"
#define ADVISORY_2 "SGXRA-TEST-SA-00002"
#define YEAR (365LL * 86400)

struct sgxra_intelca {
  char *dir;
  sgxra_p256_key *root_key, *pca_key, *tcb_key, *xca_key;
  X509 *root, *pca, *tcb, *xca;
  char *root_pem, *pca_pem, *tcb_pem, *xca_pem;
  sgxra_intelca_pck_ca pck_issuer;
  sgxra_rsa_key *qe_key;
  uint32_t eval_number;
  uint32_t recoveries;
  int64_t created;
  json_t *issued;      /* array of serial hex strings */
  json_t *revoked;     /* array of {"serial": hex, "time": unix} */
  json_t *fmspcs;      /* array of uppercase hex FMSPCs PCKs were issued for */
  json_t *issued_proc; /* serials (hex) issued by the Processor CA */
};

/* ---- small helpers ---------------------------------------------------- */

static sgxra_err read_in(sgxra_ctx *cx, const char *dir, const char *name,
                         uint8_t **out, size_t *out_len) {
  return sgxra__state_read(
      cx, dir, name, SGXRA_E_CA_STATE, "simulated Intel CA",
      ": create the CA with 'sgxra platform init'", out, out_len);
}

static sgxra_err make_dir(sgxra_ctx *cx, const char *dir) {
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    return sgxra__fail(cx, SGXRA_E_IO, "cannot create folder %s: %s", dir,
                       SGXRA__ERRNO_STR(errno));
  return SGXRA_OK;
}

static char *bio_to_string(BIO *b, size_t *out_len) {
  char *data = NULL;
  long n = BIO_get_mem_data(b, &data);
  if (n < 0) return NULL;
  char *s = malloc((size_t)n + 1);
  if (!s) return NULL;
  memcpy(s, data, (size_t)n);
  s[n] = 0;
  if (out_len) *out_len = (size_t)n;
  return s;
}

static char *cert_pem(X509 *x) {
  BIO *b = BIO_new(BIO_s_mem());
  char *s = NULL;
  if (b && PEM_write_bio_X509(b, x) == 1) s = bio_to_string(b, NULL);
  BIO_free(b);
  return s;
}

/* The one certificate of a PEM file of the state directory, read by the
 * quote layer's PEM reader (nothing but whitespace around it). */
static sgxra_err cert_from_pem(sgxra_ctx *cx, const uint8_t *p, size_t n,
                               X509 **out) {
  *out = NULL;
  sgxra_x509_pem_certs *certs = NULL;
  sgxra_err e =
      sgxra_x509_pem_split(cx, p, n, 1, SGXRA_X509_PEM_STRICT, &certs);
  if (e) return e;
  const unsigned char *q = certs->certs[0].der;
  long len = (long)certs->certs[0].der_len;
  *out = d2i_X509(NULL, &q, len);
  if (*out && q != certs->certs[0].der + len) {
    X509_free(*out);
    *out = NULL;
  }
  sgxra_x509_pem_certs_free(certs);
  if (!*out)
    return sgxra__fail_ossl(cx, SGXRA_E_X509_PARSE,
                            "the DER in the PEM block is not exactly one "
                            "X.509 certificate");
  return SGXRA_OK;
}

static X509_NAME *make_name(const char *cn) {
  X509_NAME *nm = X509_NAME_new();
  if (!nm) return NULL;
  if (!X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
                                  (const unsigned char *)cn, -1, -1, 0) ||
      !X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
                                  (const unsigned char *)ORG_NAME, -1, -1, 0) ||
      !X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC,
                                  (const unsigned char *)"ZZ", -1, -1, 0)) {
    X509_NAME_free(nm);
    return NULL;
  }
  return nm;
}

static int add_conf_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value) {
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
  if (!ext) return 0;
  int ok = X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

/* A positive SGXRA_INTELCA_SERIAL_SIZE-byte serial number from the
 * CSPRNG. */
static sgxra_err random_serial(sgxra_ctx *cx, ASN1_INTEGER **out) {
  uint8_t raw[SGXRA_INTELCA_SERIAL_SIZE];
  *out = NULL;
  sgxra_err e = sgxra_random(cx, raw, sizeof raw);
  if (e) return e;
  raw[0] = (uint8_t)((raw[0] & 0x7f) | 0x01); /* positive, full length */
  BIGNUM *bn = BN_bin2bn(raw, sizeof raw, NULL);
  if (bn) *out = BN_to_ASN1_INTEGER(bn, NULL);
  BN_free(bn);
  if (!*out) return sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "serial number");
  return SGXRA_OK;
}

static void serial_hex(const ASN1_INTEGER *ai,
                       char out[SGXRA_INTELCA_SERIAL_HEX_SIZE]) {
  out[0] = 0;
  BIGNUM *bn = ASN1_INTEGER_to_BN(ai, NULL);
  if (!bn) return;
  uint8_t raw[SGXRA_INTELCA_SERIAL_SIZE];
  int n = BN_num_bytes(bn);
  if (n > 0 && n <= SGXRA_INTELCA_SERIAL_SIZE) {
    BN_bn2bin(bn, raw);
    sgxra_hex_encode(raw, (size_t)n, out);
  }
  BN_free(bn);
}

/* What one certificate is. */
typedef struct cert_spec {
  const char *cn;
  X509 *issuer; /* NULL: self-signed */
  const sgxra_p256_key *issuer_key;
  const sgxra_p256_key *subject_key;
  const char *basic_constraints;
  const char *key_usage;
  const char *crl_dp; /* may be NULL */
  int64_t not_before, not_after;
  const uint8_t *sgx_ext; /* DER of the SGX extension's value, or NULL */
  size_t sgx_ext_len;
} cert_spec;

static sgxra_err make_cert(sgxra_ctx *cx, const cert_spec *s, X509 **out) {
  *out = NULL;
  X509 *x = X509_new();
  X509_NAME *subj = make_name(s->cn);
  ASN1_INTEGER *serial = NULL;
  X509_EXTENSION *ext = NULL;
  ASN1_OBJECT *obj = NULL;
  ASN1_OCTET_STRING *os = NULL;
  sgxra_err e = SGXRA_OK;
  if (!x || !subj) {
    e = sgxra__fail_ossl(cx, SGXRA_E_NO_MEMORY, "certificate");
    goto done;
  }
  if ((e = random_serial(cx, &serial))) goto done;
  X509V3_CTX v3;
  if (!X509_set_version(x, 2) || !X509_set_serialNumber(x, serial) ||
      !X509_set_subject_name(x, subj) ||
      !X509_set_issuer_name(x, s->issuer ? X509_get_subject_name(s->issuer)
                                         : subj) ||
      !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)s->not_after) ||
      !X509_set_pubkey(x, sgxra_p256_evp(s->subject_key))) {
    e = sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "certificate fields");
    goto done;
  }
  X509V3_set_ctx(&v3, s->issuer ? s->issuer : x, x, NULL, NULL, 0);
  if (!add_conf_ext(x, &v3, NID_subject_key_identifier, "hash") ||
      !add_conf_ext(x, &v3, NID_authority_key_identifier, "keyid:always") ||
      !add_conf_ext(x, &v3, NID_key_usage, s->key_usage) ||
      !add_conf_ext(x, &v3, NID_basic_constraints, s->basic_constraints) ||
      (s->crl_dp &&
       !add_conf_ext(x, &v3, NID_crl_distribution_points, s->crl_dp))) {
    e = sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "certificate extensions");
    goto done;
  }
  if (s->sgx_ext) {
    obj = OBJ_txt2obj(SGXRA_SGX_EXTENSION_OID, 1);
    os = ASN1_OCTET_STRING_new();
    if (!obj || !os ||
        !ASN1_OCTET_STRING_set(os, s->sgx_ext, (int)s->sgx_ext_len) ||
        !(ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) ||
        !X509_add_ext(x, ext, -1)) {
      e = sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "SGX extension");
      goto done;
    }
  }
  if (X509_sign(x, sgxra_p256_evp(s->issuer_key), EVP_sha256()) <= 0) {
    e = sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "certificate signature");
    goto done;
  }
  *out = x;
  x = NULL;
done:
  X509_free(x);
  X509_NAME_free(subj);
  ASN1_INTEGER_free(serial);
  X509_EXTENSION_free(ext);
  ASN1_OBJECT_free(obj);
  ASN1_OCTET_STRING_free(os);
  return e;
}

/* ---- state ------------------------------------------------------------ */

static sgxra_err save_state(sgxra_ctx *cx, const sgxra_intelca *ca) {
  json_t *st = json_pack(
      "{s:I, s:I, s:I, s:O, s:O, s:O, s:O}", "tcb_evaluation_number",
      (json_int_t)ca->eval_number, "recoveries", (json_int_t)ca->recoveries,
      "created", (json_int_t)ca->created, "issued", ca->issued, "revoked",
      ca->revoked, "fmspcs", ca->fmspcs, "issued_processor", ca->issued_proc);
  if (!st) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "CA state: out of memory");
  char *text = json_dumps(st, JSON_INDENT(1));
  json_decref(st);
  if (!text)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "CA state: out of memory");
  sgxra_err e =
      sgxra__state_write(cx, ca->dir, "state.json", text, strlen(text), 0);
  free(text);
  return e;
}

static sgxra_err load_state(sgxra_ctx *cx, sgxra_intelca *ca) {
  uint8_t *buf = NULL;
  size_t n = 0;
  sgxra_err e = read_in(cx, ca->dir, "state.json", &buf, &n);
  if (e) return e;
  json_error_t jerr;
  json_t *st = json_loadb((const char *)buf, n, 0, &jerr);
  free(buf);
  json_int_t eval = 0, rec = 0, created = 0;
  json_t *issued = NULL, *revoked = NULL, *fmspcs = NULL;
  char why[160];
  why[0] = 0;
  if (!st)
    snprintf(why, sizeof why, "not JSON: line %d: %.100s", jerr.line,
             jerr.text);
  else if (json_unpack_ex(st, &jerr, 0, "{s:I, s:I, s:I, s:o, s:o, s:o}",
                          "tcb_evaluation_number", &eval, "recoveries", &rec,
                          "created", &created, "issued", &issued, "revoked",
                          &revoked, "fmspcs", &fmspcs) != 0)
    snprintf(why, sizeof why, "%.150s", jerr.text);
  else if (eval < 1 || eval > 0xffffffffLL)
    snprintf(why, sizeof why,
             "\"tcb_evaluation_number\" must be 1..4294967295, found %lld",
             (long long)eval);
  else if (rec < 0 || rec > 100)
    snprintf(why, sizeof why, "\"recoveries\" must be 0..100, found %lld",
             (long long)rec);
  else if (!json_is_array(issued) || !json_is_array(revoked) ||
           !json_is_array(fmspcs))
    snprintf(why, sizeof why,
             "\"issued\", \"revoked\" and \"fmspcs\" must be arrays");
  json_t *proc = st ? json_object_get(st, "issued_processor") : NULL;
  if (!why[0] && proc && !json_is_array(proc))
    snprintf(why, sizeof why, "\"issued_processor\" must be an array");
  if (why[0]) {
    json_decref(st);
    return sgxra__fail(cx, SGXRA_E_CA_STATE,
                       "simulated Intel CA: %s/state.json is malformed (%s); "
                       "restore it or create a new CA",
                       ca->dir, why);
  }
  ca->eval_number = (uint32_t)eval;
  ca->recoveries = (uint32_t)rec;
  ca->created = (int64_t)created;
  ca->issued = json_incref(issued);
  ca->revoked = json_incref(revoked);
  ca->fmspcs = json_incref(fmspcs);
  ca->issued_proc = proc ? json_incref(proc) : json_array();
  json_decref(st);
  if (!ca->issued_proc)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "CA state: out of memory");
  return SGXRA_OK;
}

/* Every change of state.json (and of the pckcert files) is a
 * read-modify-write under the folder's exclusive lock: the state another
 * process saved since this object was opened is read again first, so two
 * processes changing one CA never lose each other's change. */
static sgxra_err state_begin(sgxra_ctx *cx, sgxra_intelca *ca, int *out_fd) {
  sgxra_err e = sgxra__lock_dir(cx, ca->dir, out_fd);
  if (e) return e;
  json_t *old[4] = {ca->issued, ca->revoked, ca->fmspcs, ca->issued_proc};
  uint32_t eval = ca->eval_number, rec = ca->recoveries;
  int64_t created = ca->created;
  ca->issued = ca->revoked = ca->fmspcs = ca->issued_proc = NULL;
  e = load_state(cx, ca);
  if (e) {
    json_decref(ca->issued);
    json_decref(ca->revoked);
    json_decref(ca->fmspcs);
    json_decref(ca->issued_proc);
    ca->issued = old[0];
    ca->revoked = old[1];
    ca->fmspcs = old[2];
    ca->issued_proc = old[3];
    ca->eval_number = eval;
    ca->recoveries = rec;
    ca->created = created;
    sgxra__unlock_dir(*out_fd);
    *out_fd = -1;
    return e;
  }
  for (size_t i = 0; i < 4; i++) json_decref(old[i]);
  return SGXRA_OK;
}

/* ---- create / open ------------------------------------------------------ */

void sgxra_intelca_free(sgxra_intelca *ca) {
  if (!ca) return;
  free(ca->dir);
  sgxra_p256_free(ca->root_key);
  sgxra_p256_free(ca->pca_key);
  sgxra_p256_free(ca->tcb_key);
  sgxra_p256_free(ca->xca_key);
  X509_free(ca->root);
  X509_free(ca->pca);
  X509_free(ca->tcb);
  X509_free(ca->xca);
  free(ca->root_pem);
  free(ca->pca_pem);
  free(ca->tcb_pem);
  free(ca->xca_pem);
  json_decref(ca->issued_proc);
  sgxra_rsa_free(ca->qe_key);
  json_decref(ca->issued);
  json_decref(ca->revoked);
  json_decref(ca->fmspcs);
  free(ca);
}

static sgxra_err save_key(sgxra_ctx *cx, const char *dir, const char *name,
                          const sgxra_p256_key *k) {
  char *pem = NULL;
  sgxra_err e = sgxra_p256_private_pem(cx, k, &pem);
  if (e) return e;
  e = sgxra__state_write(cx, dir, name, pem, strlen(pem), 1);
  sgxra_wipe(pem, strlen(pem));
  free(pem);
  return e;
}

static sgxra_err save_cert(sgxra_ctx *cx, const char *dir, const char *name,
                           X509 *x, char **out_pem) {
  *out_pem = cert_pem(x);
  if (!*out_pem) return sgxra__fail_ossl(cx, SGXRA_E_NO_MEMORY, "PEM");
  return sgxra__state_write(cx, dir, name, *out_pem, strlen(*out_pem), 0);
}

/* The PCK Processor CA: a new key, certified by the root (CA:TRUE pathlen
 * 0), saved as processor_ca.pem / processor_ca_key.pem. */
static sgxra_err make_processor_ca(sgxra_ctx *cx, sgxra_intelca *ca,
                                   int64_t now) {
  sgxra_err e = sgxra_p256_generate(cx, &ca->xca_key);
  if (e) return e;
  cert_spec x = {.cn = XCA_CN,
                 .issuer = ca->root,
                 .issuer_key = ca->root_key,
                 .subject_key = ca->xca_key,
                 .basic_constraints = "critical,CA:TRUE,pathlen:0",
                 .key_usage = "critical,keyCertSign,cRLSign",
                 .crl_dp = "URI:" CRL_DP_ROOT,
                 .not_before = now - 3600,
                 .not_after = now + 15 * YEAR};
  if ((e = make_cert(cx, &x, &ca->xca))) return e;
  if ((e = save_key(cx, ca->dir, "processor_ca_key.pem", ca->xca_key)) ||
      (e = save_cert(cx, ca->dir, "processor_ca.pem", ca->xca, &ca->xca_pem)))
    return e;
  return SGXRA_OK;
}

sgxra_err sgxra_intelca_create(sgxra_ctx *cx, const char *dir, int64_t now,
                               sgxra_intelca **out_ca) {
  if (out_ca) *out_ca = NULL;
  if (!dir || !out_ca)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "simulated Intel CA: folder and output are required");
  sgxra_err e = make_dir(cx, dir);
  if (e) return e;
  if ((e = sgxra__state_check(cx, dir, NULL, "simulated Intel CA folder")))
    return e;
  /* Creation holds the folder's lock throughout and writes state.json
   * last: a CA is complete exactly when state.json exists, and two
   * processes creating one CA at once make one (the other is refused). */
  int lock = -1;
  if ((e = sgxra__lock_dir(cx, dir, &lock))) return e;
  char *probe = sgxra__state_path(dir, "state.json");
  struct stat sb;
  int exists = probe && stat(probe, &sb) == 0;
  free(probe);
  if (exists) {
    sgxra__unlock_dir(lock);
    return sgxra__fail(cx, SGXRA_E_CA_STATE,
                       "simulated Intel CA: %s already holds a CA; open it "
                       "instead or choose an empty folder",
                       dir);
  }
  sgxra_intelca *ca = calloc(1, sizeof(*ca));
  if (!ca) {
    sgxra__unlock_dir(lock);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  ca->dir = strdup(dir);
  ca->issued = json_array();
  ca->revoked = json_array();
  ca->fmspcs = json_array();
  ca->issued_proc = json_array();
  ca->eval_number = 1;
  ca->created = now;
  if (!ca->dir || !ca->issued || !ca->revoked || !ca->fmspcs ||
      !ca->issued_proc) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    goto fail;
  }
  if ((e = sgxra_p256_generate(cx, &ca->root_key)) ||
      (e = sgxra_p256_generate(cx, &ca->pca_key)) ||
      (e = sgxra_p256_generate(cx, &ca->tcb_key)) ||
      (e = sgxra_rsa_generate(cx, &ca->qe_key)))
    goto fail;

  cert_spec root = {.cn = ROOT_CN,
                    .issuer_key = ca->root_key,
                    .subject_key = ca->root_key,
                    .basic_constraints = "critical,CA:TRUE,pathlen:1",
                    .key_usage = "critical,keyCertSign,cRLSign",
                    .crl_dp = "URI:" CRL_DP_ROOT,
                    .not_before = now - 3600,
                    .not_after = now + 25 * YEAR};
  if ((e = make_cert(cx, &root, &ca->root))) goto fail;
  cert_spec pca = root;
  pca.cn = PCA_CN;
  pca.issuer = ca->root;
  pca.subject_key = ca->pca_key;
  pca.basic_constraints = "critical,CA:TRUE,pathlen:0";
  pca.not_after = now + 15 * YEAR;
  if ((e = make_cert(cx, &pca, &ca->pca))) goto fail;
  if ((e = make_processor_ca(cx, ca, now))) goto fail;
  cert_spec tcb = pca;
  tcb.cn = TCB_CN;
  tcb.subject_key = ca->tcb_key;
  tcb.basic_constraints = "critical,CA:FALSE";
  tcb.key_usage = "critical,digitalSignature,nonRepudiation";
  tcb.not_after = now + 7 * YEAR;
  if ((e = make_cert(cx, &tcb, &ca->tcb))) goto fail;

  char *qe_pem = NULL;
  if ((e = save_key(cx, dir, "root_ca_key.pem", ca->root_key)) ||
      (e = save_key(cx, dir, "platform_ca_key.pem", ca->pca_key)) ||
      (e = save_key(cx, dir, "tcb_signing_key.pem", ca->tcb_key)) ||
      (e = save_cert(cx, dir, "root_ca.pem", ca->root, &ca->root_pem)) ||
      (e = save_cert(cx, dir, "platform_ca.pem", ca->pca, &ca->pca_pem)) ||
      (e = save_cert(cx, dir, "tcb_signing.pem", ca->tcb, &ca->tcb_pem)) ||
      (e = sgxra_rsa_private_pem(cx, ca->qe_key, &qe_pem)))
    goto fail;
  e = sgxra__state_write(cx, dir, "qe_signing_key.pem", qe_pem, strlen(qe_pem),
                         1);
  sgxra_wipe(qe_pem, strlen(qe_pem));
  free(qe_pem);
  if (e || (e = save_state(cx, ca))) goto fail;
  sgxra__unlock_dir(lock);
  *out_ca = ca;
  return SGXRA_OK;
fail:
  sgxra__unlock_dir(lock);
  sgxra_intelca_free(ca);
  return e;
}

static sgxra_err load_key(sgxra_ctx *cx, const char *dir, const char *name,
                          sgxra_p256_key **out) {
  uint8_t *buf = NULL;
  size_t n = 0;
  sgxra_err e = read_in(cx, dir, name, &buf, &n);
  if (e) return e;
  e = sgxra_p256_load_private(cx, buf, n, out);
  sgxra_wipe(buf, n);
  free(buf);
  if (e)
    return sgxra__fail(cx, SGXRA_E_CA_STATE,
                       "simulated Intel CA: %s/%s is not a P-256 private key",
                       dir, name);
  return SGXRA_OK;
}

static sgxra_err load_cert(sgxra_ctx *cx, const char *dir, const char *name,
                           X509 **out, char **out_pem) {
  uint8_t *buf = NULL;
  size_t n = 0;
  sgxra_err e = read_in(cx, dir, name, &buf, &n);
  if (e) return e;
  *out_pem = (char *)buf; /* NUL-terminated by sgxra_file_read */
  if ((e = cert_from_pem(cx, buf, n, out))) {
    char why[SGXRA_CTX_MSG_SIZE];
    snprintf(why, sizeof why, "%s", sgxra_ctx_message(cx));
    return sgxra__fail(cx, SGXRA_E_CA_STATE, "simulated Intel CA: %s/%s: %s",
                       dir, name, why);
  }
  return SGXRA_OK;
}

sgxra_err sgxra_intelca_open(sgxra_ctx *cx, const char *dir,
                             sgxra_intelca **out_ca) {
  if (out_ca) *out_ca = NULL;
  if (!dir || !out_ca)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "simulated Intel CA: folder and output are required");
  static const char *const secrets[] = {"root_ca_key.pem",
                                        "platform_ca_key.pem",
                                        "processor_ca_key.pem",
                                        "tcb_signing_key.pem",
                                        "qe_signing_key.pem",
                                        "state.json",
                                        NULL};
  sgxra_err e =
      sgxra__state_check(cx, dir, secrets, "simulated Intel CA folder");
  if (e) return e;
  /* state.json is written last by _create: key files without it are a
   * creation that was interrupted. */
  char *sp = sgxra__state_path(dir, "state.json");
  char *kp = sgxra__state_path(dir, "root_ca_key.pem");
  struct stat ssb;
  int incomplete = sp && kp && stat(sp, &ssb) != 0 && stat(kp, &ssb) == 0;
  if (incomplete) { /* or a creation still under way: wait for its lock */
    int lock = -1;
    if (sgxra__lock_dir(cx, dir, &lock) == SGXRA_OK) {
      incomplete = stat(sp, &ssb) != 0;
      sgxra__unlock_dir(lock);
    }
  }
  free(sp);
  free(kp);
  if (incomplete)
    return sgxra__fail(cx, SGXRA_E_EMU_STATE_INCOMPLETE,
                       "simulated Intel CA: %s is incomplete (its creation "
                       "was interrupted: no state.json); remove it ('rm -r "
                       "%s') and create it again ('sgxra platform init')",
                       dir, dir);
  sgxra_intelca *ca = calloc(1, sizeof(*ca));
  if (!ca) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  ca->dir = strdup(dir);
  if (!ca->dir) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    goto fail;
  }
  if ((e = load_state(cx, ca)) ||
      (e = load_key(cx, dir, "root_ca_key.pem", &ca->root_key)) ||
      (e = load_key(cx, dir, "platform_ca_key.pem", &ca->pca_key)) ||
      (e = load_key(cx, dir, "tcb_signing_key.pem", &ca->tcb_key)) ||
      (e = load_cert(cx, dir, "root_ca.pem", &ca->root, &ca->root_pem)) ||
      (e = load_cert(cx, dir, "platform_ca.pem", &ca->pca, &ca->pca_pem)) ||
      (e = load_cert(cx, dir, "tcb_signing.pem", &ca->tcb, &ca->tcb_pem)))
    goto fail;
  /* A CA made before the Processor CA existed gets one now (under the
   * lock: two processes opening it at once make one Processor CA). */
  char *xp = sgxra__state_path(dir, "processor_ca.pem");
  struct stat xsb;
  int have_xca = xp && stat(xp, &xsb) == 0;
  int xlock = -1;
  if (!have_xca && (e = sgxra__lock_dir(cx, dir, &xlock))) {
    free(xp);
    goto fail;
  }
  if (!have_xca) have_xca = xp && stat(xp, &xsb) == 0;
  free(xp);
  if (have_xca) {
    if (!(e = load_key(cx, dir, "processor_ca_key.pem", &ca->xca_key)))
      e = load_cert(cx, dir, "processor_ca.pem", &ca->xca, &ca->xca_pem);
  } else {
    e = make_processor_ca(cx, ca, ca->created);
  }
  sgxra__unlock_dir(xlock);
  if (e) goto fail;
  uint8_t *buf = NULL;
  size_t n = 0;
  if ((e = read_in(cx, dir, "qe_signing_key.pem", &buf, &n))) goto fail;
  e = sgxra_rsa_load_private(cx, buf, n, &ca->qe_key);
  sgxra_wipe(buf, n);
  free(buf);
  if (e) {
    e = sgxra__fail(cx, SGXRA_E_CA_STATE,
                    "simulated Intel CA: %s/qe_signing_key.pem: %s", dir,
                    sgxra_ctx_message(cx));
    goto fail;
  }
  *out_ca = ca;
  return SGXRA_OK;
fail:
  sgxra_intelca_free(ca);
  return e;
}

const char *sgxra_intelca_root_pem(const sgxra_intelca *ca) {
  return ca ? ca->root_pem : NULL;
}
const char *sgxra_intelca_platform_ca_pem(const sgxra_intelca *ca) {
  return ca ? ca->pca_pem : NULL;
}
const char *sgxra_intelca_tcb_signing_pem(const sgxra_intelca *ca) {
  return ca ? ca->tcb_pem : NULL;
}
const char *sgxra_intelca_processor_ca_pem(const sgxra_intelca *ca) {
  return ca ? ca->xca_pem : NULL;
}
const char *sgxra_intelca_pck_issuer_pem(const sgxra_intelca *ca) {
  if (!ca) return NULL;
  return ca->pck_issuer == SGXRA_INTELCA_PCK_PROCESSOR ? ca->xca_pem
                                                       : ca->pca_pem;
}
void sgxra_intelca_set_pck_issuer(sgxra_intelca *ca,
                                  sgxra_intelca_pck_ca which) {
  if (ca)
    ca->pck_issuer = which == SGXRA_INTELCA_PCK_PROCESSOR
                         ? SGXRA_INTELCA_PCK_PROCESSOR
                         : SGXRA_INTELCA_PCK_PLATFORM;
}
sgxra_intelca_pck_ca sgxra_intelca_pck_issuer(const sgxra_intelca *ca) {
  return ca ? ca->pck_issuer : SGXRA_INTELCA_PCK_PLATFORM;
}
const sgxra_rsa_key *sgxra_intelca_qe_signing_key(const sgxra_intelca *ca) {
  return ca ? ca->qe_key : NULL;
}

uint32_t sgxra_intelca_tcb_evaluation_number(const sgxra_intelca *ca) {
  return ca ? ca->eval_number : 0;
}

void sgxra_intelca_tcb_current(const sgxra_intelca *ca,
                               uint8_t out_comps[SGXRA_INTELCA_TCB_COMPONENTS],
                               uint16_t *out_pcesvn) {
  static const uint8_t base[SGXRA_INTELCA_TCB_COMPONENTS] =
      SGXRA_INTELCA_BASE_COMPS;
  memcpy(out_comps, base, sizeof base);
  uint32_t r = ca ? ca->recoveries : 0;
  out_comps[0] = (uint8_t)(out_comps[0] + r);
  out_comps[1] = (uint8_t)(out_comps[1] + r);
  if (out_pcesvn) *out_pcesvn = SGXRA_INTELCA_BASE_PCESVN;
}

/* ---- PCK issuance and revocation --------------------------------------- */

static void fmspc_text(const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE],
                       char out[2 * SGXRA_PCKEXT_FMSPC_SIZE + 1]) {
  sgxra_hex_encode(fmspc, SGXRA_PCKEXT_FMSPC_SIZE, out);
  for (char *c = out; *c; c++)
    if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
}

int sgxra_intelca_has_fmspc(const sgxra_intelca *ca,
                            const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE]) {
  if (!ca || !fmspc) return 0;
  char fm[2 * SGXRA_PCKEXT_FMSPC_SIZE + 1];
  fmspc_text(fmspc, fm);
  size_t i;
  json_t *v;
  json_array_foreach(ca->fmspcs, i, v) {
    const char *s = json_string_value(v);
    if (s && !strcmp(s, fm)) return 1;
  }
  return 0;
}

size_t sgxra_intelca_fmspc_count(const sgxra_intelca *ca) {
  return ca ? json_array_size(ca->fmspcs) : 0;
}

int sgxra_intelca_fmspc_get(const sgxra_intelca *ca, size_t i,
                            uint8_t out[SGXRA_PCKEXT_FMSPC_SIZE]) {
  const char *s = ca ? json_string_value(json_array_get(ca->fmspcs, i)) : NULL;
  if (!s || strlen(s) != 2 * SGXRA_PCKEXT_FMSPC_SIZE) return 0;
  sgxra_ctx *cx = sgxra_ctx_new();
  int ok = cx && sgxra_hex_decode(cx, s, strlen(s), out,
                                  SGXRA_PCKEXT_FMSPC_SIZE) == SGXRA_OK;
  sgxra_ctx_free(cx);
  return ok;
}

/* ---- PCK certificates by PPID ------------------------------------------ */

static char *pckcert_name(const uint8_t ppid[SGXRA_PCKEXT_PPID_SIZE]) {
  char hex[2 * SGXRA_PCKEXT_PPID_SIZE + 1];
  sgxra_hex_encode(ppid, SGXRA_PCKEXT_PPID_SIZE, hex);
  size_t n = sizeof "pckcert_.json" + sizeof hex;
  char *name = malloc(n);
  if (name) snprintf(name, n, "pckcert_%s.json", hex);
  return name;
}

/* The records of one PPID ({"certs":[...]}), or a new empty array when the
 * file does not exist.  NULL (and cx set) when it exists but is bad. */
static json_t *pckcert_load(sgxra_ctx *cx, const char *dir, const char *name,
                            int *out_missing) {
  *out_missing = 0;
  char *path = sgxra__state_path(dir, name);
  struct stat sb;
  if (!path) {
    sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    return NULL;
  }
  int exists = stat(path, &sb) == 0;
  free(path);
  if (!exists) {
    *out_missing = 1;
    json_t *a = json_array();
    if (!a) sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    return a;
  }
  uint8_t *buf = NULL;
  size_t n = 0;
  if (read_in(cx, dir, name, &buf, &n)) return NULL;
  json_t *o = json_loadb((const char *)buf, n, 0, NULL);
  free(buf);
  json_t *certs = json_incref(json_object_get(o, "certs"));
  json_decref(o);
  if (!json_is_array(certs)) {
    json_decref(certs);
    sgxra__fail(cx, SGXRA_E_CA_STATE,
                "simulated Intel CA: %s/%s is malformed (\"certs\" must be "
                "an array); remove it and provision the platform again",
                dir, name);
    return NULL;
  }
  return certs;
}

static int hex_field(json_t *rec, const char *key, uint8_t *out, size_t n) {
  const char *s = json_string_value(json_object_get(rec, key));
  if (!s || strlen(s) != 2 * n) return 0;
  sgxra_ctx *cx = sgxra_ctx_new();
  int ok = cx && sgxra_hex_decode(cx, s, 2 * n, out, n) == SGXRA_OK;
  sgxra_ctx_free(cx);
  return ok;
}

static sgxra_err keep_pck(sgxra_ctx *cx, sgxra_intelca *ca,
                          const sgxra_pck_ext *info, const char *pem) {
  char *name = pckcert_name(info->ppid);
  if (!name) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  int missing;
  json_t *certs = pckcert_load(cx, ca->dir, name, &missing);
  sgxra_err e = SGXRA_OK;
  char cpu[2 * SGXRA_CPUSVN_SIZE + 1], pce[5], fm[13];
  sgxra_hex_encode(info->cpusvn, sizeof info->cpusvn, cpu);
  sgxra_hex_encode(info->pceid, sizeof info->pceid, pce);
  fmspc_text(info->fmspc, fm);
  if (!certs) {
    e = sgxra_ctx_error(cx);
    goto done;
  }
  /* One record per (CPUSVN, PCESVN, PCE-ID): a newer one replaces it. */
  for (size_t i = json_array_size(certs); i-- > 0;) {
    json_t *r = json_array_get(certs, i);
    const char *c = json_string_value(json_object_get(r, "cpusvn"));
    const char *p = json_string_value(json_object_get(r, "pceid"));
    if (c && p && !strcmp(c, cpu) && !strcmp(p, pce) &&
        json_integer_value(json_object_get(r, "pcesvn")) == info->pcesvn)
      json_array_remove(certs, i);
  }
  while (json_array_size(certs) >= PCKCERT_FILE_CAP)
    json_array_remove(certs, 0);
  json_t *rec = json_pack(
      "{s:s, s:i, s:s, s:s, s:s, s:s}", "cpusvn", cpu, "pcesvn",
      (int)info->pcesvn, "pceid", pce, "fmspc", fm, "ca",
      ca->pck_issuer == SGXRA_INTELCA_PCK_PROCESSOR ? "processor" : "platform",
      "pem", pem);
  json_t *o = rec && json_array_append_new(certs, rec) == 0
                  ? json_pack("{s:O}", "certs", certs)
                  : NULL;
  char *text = o ? json_dumps(o, JSON_INDENT(1)) : NULL;
  json_decref(o);
  if (!text)
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  else
    e = sgxra__state_write(cx, ca->dir, name, text, strlen(text), 0);
  free(text);
done:
  json_decref(certs);
  free(name);
  (void)missing;
  return e;
}

sgxra_err sgxra_intelca_pck_lookup(sgxra_ctx *cx, const sgxra_intelca *ca,
                                   const uint8_t ppid[SGXRA_PCKEXT_PPID_SIZE],
                                   const uint8_t cpusvn[SGXRA_CPUSVN_SIZE],
                                   uint16_t pcesvn,
                                   const uint8_t pceid[SGXRA_PCKEXT_PCEID_SIZE],
                                   sgxra_intelca_pck_record *out) {
  if (out) memset(out, 0, sizeof(*out));
  if (!ca || !ppid || !cpusvn || !pceid || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "PCK lookup: bad arguments");
  char *name = pckcert_name(ppid);
  if (!name) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  int missing;
  json_t *certs = pckcert_load(cx, ca->dir, name, &missing);
  free(name);
  if (!certs) return sgxra_ctx_error(cx);
  json_t *best = NULL;
  unsigned best_svn = 0, best_sum = 0;
  size_t i;
  json_t *r;
  json_array_foreach(certs, i, r) {
    uint8_t c[SGXRA_CPUSVN_SIZE], p[SGXRA_PCKEXT_PCEID_SIZE];
    json_int_t svn = json_integer_value(json_object_get(r, "pcesvn"));
    if (!hex_field(r, "cpusvn", c, sizeof c) ||
        !hex_field(r, "pceid", p, sizeof p) || memcmp(p, pceid, sizeof p) ||
        svn < 0 || svn > pcesvn || !json_is_string(json_object_get(r, "pem")))
      continue;
    unsigned sum = 0;
    int above = 0;
    for (size_t k = 0; k < sizeof c; k++) {
      above |= c[k] > cpusvn[k];
      sum += c[k];
    }
    if (above) continue;
    if (!best || (unsigned)svn > best_svn ||
        ((unsigned)svn == best_svn && sum >= best_sum)) {
      best = r;
      best_svn = (unsigned)svn;
      best_sum = sum;
    }
  }
  sgxra_err e = SGXRA_OK;
  if (!best) {
    e = sgxra__fail(cx, SGXRA_E_CA_PCK_NOT_FOUND,
                    missing ? "no PCK certificate was issued for this PPID by "
                              "the simulated Intel CA"
                            : "every PCK certificate issued for this PPID and "
                              "PCE-ID is above the given TCB (CPUSVN, PCESVN)");
  } else {
    const char *pem = json_string_value(json_object_get(best, "pem"));
    const char *which = json_string_value(json_object_get(best, "ca"));
    out->pem = strdup(pem);
    hex_field(best, "cpusvn", out->cpusvn, sizeof out->cpusvn);
    hex_field(best, "pceid", out->pceid, sizeof out->pceid);
    hex_field(best, "fmspc", out->fmspc, sizeof out->fmspc);
    out->pcesvn = (uint16_t)best_svn;
    out->issuer = which && !strcmp(which, "processor")
                      ? SGXRA_INTELCA_PCK_PROCESSOR
                      : SGXRA_INTELCA_PCK_PLATFORM;
    if (!out->pem) e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  json_decref(certs);
  return e;
}

void sgxra_intelca_pck_record_clear(sgxra_intelca_pck_record *r) {
  if (!r) return;
  free(r->pem);
  memset(r, 0, sizeof(*r));
}

sgxra_err sgxra_intelca_issue_pck(
    sgxra_ctx *cx, sgxra_intelca *ca, const sgxra_pck_ext *info,
    const sgxra_p256_key *pck_pub, int64_t now, char **out_pem,
    char out_serial_hex[SGXRA_INTELCA_SERIAL_HEX_SIZE]) {
  if (out_pem) *out_pem = NULL;
  if (out_serial_hex) out_serial_hex[0] = 0;
  if (!ca || !info || !pck_pub || !out_pem)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "PCK issuance: CA, info, key and output are required");
  uint8_t *ext = NULL;
  size_t ext_len = 0;
  sgxra_err e = sgxra_pck_extension_encode(cx, info, &ext, &ext_len);
  if (e == SGXRA_E_INVALID_ARGUMENT) /* info the extension cannot hold */
    return sgxra__context(cx, SGXRA_E_CA_ISSUE, "PCK issuance");
  if (e) return e;
  int proc = ca->pck_issuer == SGXRA_INTELCA_PCK_PROCESSOR;
  cert_spec s = {.cn = PCK_CN,
                 .issuer = proc ? ca->xca : ca->pca,
                 .issuer_key = proc ? ca->xca_key : ca->pca_key,
                 .subject_key = pck_pub,
                 .basic_constraints = "critical,CA:FALSE",
                 .key_usage = "critical,digitalSignature,nonRepudiation",
                 .crl_dp = proc ? "URI:" CRL_DP_PCK_PROC : "URI:" CRL_DP_PCK,
                 .not_before = now - 3600,
                 .not_after = now + 7 * YEAR,
                 .sgx_ext = ext,
                 .sgx_ext_len = ext_len};
  X509 *x = NULL;
  e = make_cert(cx, &s, &x);
  free(ext);
  if (e) return e;
  char hex[SGXRA_INTELCA_SERIAL_HEX_SIZE];
  serial_hex(X509_get0_serialNumber(x), hex);
  *out_pem = cert_pem(x);
  X509_free(x);
  if (!*out_pem) return sgxra__fail_ossl(cx, SGXRA_E_NO_MEMORY, "PEM");
  char fm[2 * SGXRA_PCKEXT_FMSPC_SIZE + 1];
  fmspc_text(info->fmspc, fm);
  int lock = -1;
  if ((e = state_begin(cx, ca, &lock))) {
    free(*out_pem);
    *out_pem = NULL;
    return e;
  }
  int fm_new = !sgxra_intelca_has_fmspc(ca, info->fmspc);
  if (json_array_append_new(ca->issued, json_string(hex)) != 0 ||
      (proc && json_array_append_new(ca->issued_proc, json_string(hex)) != 0) ||
      (fm_new && json_array_append_new(ca->fmspcs, json_string(fm)) != 0) ||
      (e = save_state(cx, ca)) || (e = keep_pck(cx, ca, info, *out_pem))) {
    sgxra__unlock_dir(lock);
    free(*out_pem);
    *out_pem = NULL;
    return e ? e : sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  sgxra__unlock_dir(lock);
  if (out_serial_hex) memcpy(out_serial_hex, hex, sizeof hex);
  return SGXRA_OK;
}

static int serial_in(json_t *arr, const char *serial, int objects) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    const char *s = objects ? json_string_value(json_object_get(v, "serial"))
                            : json_string_value(v);
    if (s && !strcasecmp(s, serial)) return 1;
  }
  return 0;
}

sgxra_err sgxra_intelca_revoke(sgxra_ctx *cx, sgxra_intelca *ca,
                               const char *serial_hex, int64_t now) {
  if (!ca || !serial_hex)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "revocation: CA and serial are required");
  int lock = -1;
  sgxra_err e = state_begin(cx, ca, &lock);
  if (e) return e;
  if (!serial_in(ca->issued, serial_hex, 0)) {
    e = sgxra__fail(cx, SGXRA_E_CA_SERIAL,
                    "revocation: serial %s was never issued by the CA in "
                    "%s; take the serial from the PCK certificate",
                    serial_hex, ca->dir);
  } else if (!serial_in(ca->revoked, serial_hex, 1)) {
    json_t *r =
        json_pack("{s:s, s:I}", "serial", serial_hex, "time", (json_int_t)now);
    if (!r || json_array_append_new(ca->revoked, r) != 0)
      e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    else
      e = save_state(cx, ca);
  }
  sgxra__unlock_dir(lock);
  return e;
}

sgxra_err sgxra_intelca_tcb_recovery(sgxra_ctx *cx, sgxra_intelca *ca) {
  if (!ca)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "TCB recovery: no CA");
  int lock = -1;
  sgxra_err e = state_begin(cx, ca, &lock);
  if (e) return e;
  if (ca->recoveries >= 100) {
    e = sgxra__fail(cx, SGXRA_E_CA_STATE,
                    "TCB recovery: at most 100 recoveries are simulated");
  } else {
    ca->recoveries++;
    ca->eval_number++;
    e = save_state(cx, ca);
  }
  sgxra__unlock_dir(lock);
  return e;
}

/* ---- CRLs ------------------------------------------------------------- */

/* filter: NULL (every entry), or the serials of the Processor CA: keep
 * those when `keep_in` else the others. */
static sgxra_err make_crl(sgxra_ctx *cx, X509 *issuer,
                          const sgxra_p256_key *key, json_t *revoked,
                          json_t *filter, int keep_in, int64_t now,
                          uint8_t **out_der, size_t *out_len) {
  *out_der = NULL;
  *out_len = 0;
  X509_CRL *crl = X509_CRL_new();
  ASN1_TIME *t1 = ASN1_TIME_set(NULL, (time_t)now);
  ASN1_TIME *t2 =
      ASN1_TIME_set(NULL, (time_t)(now + SGXRA_INTELCA_COLLATERAL_SECONDS));
  ASN1_INTEGER *num = ASN1_INTEGER_new();
  sgxra_err e = SGXRA_OK;
  if (!crl || !t1 || !t2 || !num || !X509_CRL_set_version(crl, 1) ||
      !X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) ||
      !X509_CRL_set1_lastUpdate(crl, t1) ||
      !X509_CRL_set1_nextUpdate(crl, t2)) {
    e = sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "CRL fields");
    goto done;
  }
  size_t i;
  json_t *v;
  size_t count = 0;
  json_array_foreach(revoked, i, v) {
    const char *s = json_string_value(json_object_get(v, "serial"));
    if (filter && s && serial_in(filter, s, 0) != keep_in) continue;
    count++;
    json_int_t when = json_integer_value(json_object_get(v, "time"));
    BIGNUM *bn = NULL;
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_INTEGER *sn = NULL;
    ASN1_TIME *rt = ASN1_TIME_set(NULL, (time_t)when);
    int ok = s && r && rt && BN_hex2bn(&bn, s) > 0 &&
             (sn = BN_to_ASN1_INTEGER(bn, NULL)) &&
             X509_REVOKED_set_serialNumber(r, sn) &&
             X509_REVOKED_set_revocationDate(r, rt) &&
             X509_CRL_add0_revoked(crl, r);
    BN_free(bn);
    ASN1_INTEGER_free(sn);
    ASN1_TIME_free(rt);
    if (!ok) {
      X509_REVOKED_free(r);
      e = sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "CRL entry");
      goto done;
    }
  }
  /* The CRL number grows with each revocation, so a newer list is never
   * numbered below an older one. */
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer, NULL, NULL, crl, 0);
  X509_EXTENSION *aki = X509V3_EXT_conf_nid(
      NULL, &v3, NID_authority_key_identifier, "keyid:always");
  int ok = aki && X509_CRL_add_ext(crl, aki, -1);
  X509_EXTENSION_free(aki);
  if (!ok || !ASN1_INTEGER_set(num, (long)(count + 1)) ||
      !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) ||
      !X509_CRL_sort(crl) ||
      X509_CRL_sign(crl, sgxra_p256_evp(key), EVP_sha256()) <= 0) {
    e = sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "CRL signature");
    goto done;
  }
  unsigned char *der = NULL;
  int n = i2d_X509_CRL(crl, &der);
  if (n <= 0) {
    e = sgxra__fail_ossl(cx, SGXRA_E_CA_ISSUE, "CRL encoding");
    goto done;
  }
  *out_der = malloc((size_t)n);
  if (!*out_der) {
    OPENSSL_free(der);
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    goto done;
  }
  memcpy(*out_der, der, (size_t)n);
  OPENSSL_free(der);
  *out_len = (size_t)n;
done:
  X509_CRL_free(crl);
  ASN1_TIME_free(t1);
  ASN1_TIME_free(t2);
  ASN1_INTEGER_free(num);
  return e;
}

sgxra_err sgxra_intelca_root_crl(sgxra_ctx *cx, sgxra_intelca *ca, int64_t now,
                                 uint8_t **out_der, size_t *out_len) {
  if (out_der) *out_der = NULL;
  if (out_len) *out_len = 0;
  if (!ca || !out_der || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "root CRL: bad arguments");
  return make_crl(cx, ca->root, ca->root_key, NULL, NULL, 0, now, out_der,
                  out_len);
}

sgxra_err sgxra_intelca_pck_crl(sgxra_ctx *cx, sgxra_intelca *ca, int64_t now,
                                uint8_t **out_der, size_t *out_len) {
  if (out_der) *out_der = NULL;
  if (out_len) *out_len = 0;
  if (!ca || !out_der || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "PCK CRL: bad arguments");
  return make_crl(cx, ca->pca, ca->pca_key, ca->revoked, ca->issued_proc, 0,
                  now, out_der, out_len);
}

sgxra_err sgxra_intelca_pck_crl_of(sgxra_ctx *cx, sgxra_intelca *ca,
                                   sgxra_intelca_pck_ca which, int64_t now,
                                   uint8_t **out_der, size_t *out_len) {
  if (which != SGXRA_INTELCA_PCK_PROCESSOR)
    return sgxra_intelca_pck_crl(cx, ca, now, out_der, out_len);
  if (out_der) *out_der = NULL;
  if (out_len) *out_len = 0;
  if (!ca || !out_der || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "PCK CRL: bad arguments");
  return make_crl(cx, ca->xca, ca->xca_key, ca->revoked, ca->issued_proc, 1,
                  now, out_der, out_len);
}

/* ---- signed JSON ----------------------------------------------------------
 */

/* {"<name>":<compact inner>,"signature":"<hex r||s>"}, the signature over
 * the compact bytes of the inner object exactly as they appear. */
static sgxra_err sign_json(sgxra_ctx *cx, const sgxra_p256_key *key,
                           const char *name, json_t *inner, char **out_json,
                           size_t *out_len) {
  *out_json = NULL;
  *out_len = 0;
  char *body = json_dumps(inner, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!body) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  uint8_t sig[SGXRA_P256_SIG_SIZE];
  sgxra_err e = sgxra_p256_sign(cx, key, body, strlen(body), sig);
  if (e) {
    free(body);
    return e;
  }
  char sighex[2 * SGXRA_P256_SIG_SIZE + 1];
  sgxra_hex_encode(sig, sizeof sig, sighex);
  size_t n = strlen(name) + strlen(body) + strlen(sighex) + 32;
  char *out = malloc(n);
  if (!out) {
    free(body);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  int w =
      snprintf(out, n, "{\"%s\":%s,\"signature\":\"%s\"}", name, body, sighex);
  free(body);
  *out_json = out;
  *out_len = (size_t)w;
  return SGXRA_OK;
}

static json_t *time_json(int64_t t) {
  char s[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(t, s);
  return json_string(s);
}

/* Uppercase hex of at most HEX_JSON_MAX bytes, as Intel's JSON writes. */
#define HEX_JSON_MAX 64
static json_t *hex_json(const uint8_t *p, size_t n) {
  char s[2 * HEX_JSON_MAX + 1];
  if (n > HEX_JSON_MAX) return NULL;
  sgxra_hex_encode(p, n, s);
  for (char *c = s; *c; c++)
    if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
  return json_string(s);
}

static json_t *tcb_level(const uint8_t comps[SGXRA_INTELCA_TCB_COMPONENTS],
                         unsigned pcesvn, int64_t date, const char *status,
                         const char *adv1, const char *adv2) {
  json_t *arr = json_array();
  for (int i = 0; i < SGXRA_INTELCA_TCB_COMPONENTS; i++)
    json_array_append_new(arr, json_pack("{s:i}", "svn", comps[i]));
  json_t *lvl = json_pack("{s:{s:o, s:i}, s:o, s:s}", "tcb", "sgxtcbcomponents",
                          arr, "pcesvn", (int)pcesvn, "tcbDate",
                          time_json(date), "tcbStatus", status);
  if (lvl && adv1) {
    json_t *adv = json_array();
    json_array_append_new(adv, json_string(adv1));
    if (adv2) json_array_append_new(adv, json_string(adv2));
    json_object_set_new(lvl, "advisoryIDs", adv);
  }
  return lvl;
}

static uint8_t sub_svn(uint8_t v, uint8_t d) {
  return v > d ? (uint8_t)(v - d) : 0;
}

/* Recoveries and evaluation number published under `upd`. */
static void published(const sgxra_intelca *ca, sgxra_intelca_update upd,
                      uint32_t *rec, uint32_t *eval) {
  *rec = ca->recoveries;
  *eval = ca->eval_number;
  if (upd == SGXRA_INTELCA_UPDATE_STANDARD && *rec > 0 && *eval > 1) {
    (*rec)--;
    (*eval)--;
  }
}

sgxra_err sgxra_intelca_tcb_info(sgxra_ctx *cx, sgxra_intelca *ca,
                                 const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE],
                                 int64_t now, char **out_json,
                                 size_t *out_len) {
  return sgxra_intelca_tcb_info_update(
      cx, ca, fmspc, SGXRA_INTELCA_UPDATE_EARLY, now, out_json, out_len);
}

sgxra_err
sgxra_intelca_tcb_info_update(sgxra_ctx *cx, sgxra_intelca *ca,
                              const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE],
                              sgxra_intelca_update upd, int64_t now,
                              char **out_json, size_t *out_len) {
  if (out_json) *out_json = NULL;
  if (out_len) *out_len = 0;
  if (!ca || !fmspc || !out_json || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "TCB Info: bad arguments");
  uint32_t recoveries, eval;
  published(ca, upd, &recoveries, &eval);
  uint8_t c[SGXRA_INTELCA_TCB_COMPONENTS], cfg[SGXRA_INTELCA_TCB_COMPONENTS],
      old[SGXRA_INTELCA_TCB_COMPONENTS], oldcfg[SGXRA_INTELCA_TCB_COMPONENTS],
      oldest[SGXRA_INTELCA_TCB_COMPONENTS];
  uint16_t p;
  sgxra_intelca_tcb_current(NULL, c, &p);
  c[0] = (uint8_t)(c[0] + recoveries);
  c[1] = (uint8_t)(c[1] + recoveries);
  memcpy(cfg, c, sizeof c);
  cfg[2] = sub_svn(c[2], 1);
  memcpy(old, c, sizeof c);
  old[0] = sub_svn(c[0], 1);
  old[1] = sub_svn(c[1], 1);
  memcpy(oldcfg, old, sizeof c);
  oldcfg[2] = sub_svn(c[2], 1);
  memcpy(oldest, c, sizeof c);
  oldest[0] = sub_svn(c[0], 2);
  oldest[1] = sub_svn(c[1], 2);
  /* The dates: the current level dates from the last recovery (the CA's
   * creation plus a day per recovery), older ones a year apart. */
  int64_t d0 = ca->created - ca->created % 86400 + 86400LL * recoveries;
  uint8_t pceid[2] = {0, 0};
  json_t *levels = json_array();
  if (levels) {
    json_array_append_new(levels, tcb_level(c, p, d0, "UpToDate", NULL, NULL));
    json_array_append_new(
        levels, tcb_level(cfg, p, d0, "ConfigurationNeeded", ADVISORY_2, NULL));
    json_array_append_new(
        levels, tcb_level(old, p, d0 - YEAR, "OutOfDate", ADVISORY_1, NULL));
    json_array_append_new(levels, tcb_level(oldcfg, p, d0 - YEAR,
                                            "OutOfDateConfigurationNeeded",
                                            ADVISORY_1, ADVISORY_2));
    json_array_append_new(levels,
                          tcb_level(oldest, (unsigned)(p - 1), d0 - 2 * YEAR,
                                    "OutOfDate", ADVISORY_1, ADVISORY_2));
  }
  json_t *inner =
      json_pack("{s:s, s:i, s:o, s:o, s:o, s:o, s:i, s:I, s:o}", "id", "SGX",
                "version", 3, "issueDate", time_json(now), "nextUpdate",
                time_json(now + SGXRA_INTELCA_COLLATERAL_SECONDS), "fmspc",
                hex_json(fmspc, SGXRA_PCKEXT_FMSPC_SIZE), "pceId",
                hex_json(pceid, 2), "tcbType", 0, "tcbEvaluationDataNumber",
                (json_int_t)eval, "tcbLevels", levels);
  if (!inner || json_array_size(levels) != 5) {
    json_decref(inner);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "TCB Info: out of memory");
  }
  sgxra_err e = sign_json(cx, ca->tcb_key, "tcbInfo", inner, out_json, out_len);
  json_decref(inner);
  return e;
}

sgxra_err sgxra_intelca_qe_params(sgxra_ctx *cx, const sgxra_intelca *ca,
                                  sgxra_qe_identity_params *out) {
  if (out) memset(out, 0, sizeof(*out));
  if (!ca || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "QE identity: bad arguments");
  uint8_t mod[SGXRA_RSA3072_SIZE];
  sgxra_rsa_modulus_le(ca->qe_key, mod);
  sgxra_err e = sgxra_sha256(cx, mod, sizeof mod, out->mrsigner);
  if (e) return e;
  out->isvprodid = SGXRA_QE_ISVPRODID;
  out->isvsvn = SGXRA_QE_ISVSVN;
  out->miscselect = 0;
  /* As Intel's QE identity: INIT and PROVISIONKEY must be set, DEBUG clear,
   * MODE64BIT and XFRM not checked. */
  out->attributes.flags = SGXRA_ATTR_INIT | SGXRA_ATTR_PROVISIONKEY;
  out->attributes.xfrm = 0;
  out->attributes_mask.flags = ~SGXRA_ATTR_MODE64BIT;
  out->attributes_mask.xfrm = 0;
  return SGXRA_OK;
}

static json_t *attr_json(const sgxra_attributes *a) {
  uint8_t raw[sizeof a->flags + sizeof a->xfrm]; /* flags || xfrm, LE */
  sgxra__st64(raw, a->flags);
  sgxra__st64(raw + 8, a->xfrm);
  return hex_json(raw, sizeof raw);
}

sgxra_err sgxra_intelca_qe_identity(sgxra_ctx *cx, sgxra_intelca *ca,
                                    int64_t now, char **out_json,
                                    size_t *out_len) {
  return sgxra_intelca_enclave_identity(cx, ca, SGXRA_INTELCA_ENCLAVE_QE,
                                        SGXRA_INTELCA_UPDATE_EARLY, now,
                                        out_json, out_len);
}

sgxra_err sgxra_intelca_enclave_identity(sgxra_ctx *cx, sgxra_intelca *ca,
                                         sgxra_intelca_enclave which,
                                         sgxra_intelca_update upd, int64_t now,
                                         char **out_json, size_t *out_len) {
  if (out_json) *out_json = NULL;
  if (out_len) *out_len = 0;
  if (!ca || !out_json || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "enclave identity: bad arguments");
  sgxra_qe_identity_params q;
  sgxra_err e = sgxra_intelca_qe_params(cx, ca, &q);
  if (e) return e;
  int qve = which == SGXRA_INTELCA_ENCLAVE_QVE;
  if (qve) {
    q.isvprodid = SGXRA_INTELCA_QVE_ISVPRODID;
    q.isvsvn = SGXRA_INTELCA_QVE_ISVSVN;
  }
  uint32_t recoveries, eval;
  published(ca, upd, &recoveries, &eval);
  uint8_t misc[4], miscmask[4] = {0xff, 0xff, 0xff, 0xff};
  sgxra__st32(misc, q.miscselect);
  int64_t d0 = ca->created - ca->created % 86400;
  json_t *levels = json_pack(
      "[{s:{s:i}, s:o, s:s}, {s:{s:i}, s:o, s:s, s:[s]}]", "tcb", "isvsvn",
      (int)q.isvsvn, "tcbDate", time_json(d0), "tcbStatus", "UpToDate", "tcb",
      "isvsvn", (int)(q.isvsvn > 0 ? q.isvsvn - 1 : 0), "tcbDate",
      time_json(d0 - YEAR), "tcbStatus", "OutOfDate", "advisoryIDs",
      ADVISORY_1);
  json_t *inner = json_pack(
      "{s:s, s:i, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:i, s:o}", "id",
      qve ? "QVE" : "QE", "version", 2, "issueDate", time_json(now),
      "nextUpdate", time_json(now + SGXRA_INTELCA_COLLATERAL_SECONDS),
      "tcbEvaluationDataNumber", (json_int_t)eval, "miscselect",
      hex_json(misc, 4), "miscselectMask", hex_json(miscmask, 4), "attributes",
      attr_json(&q.attributes), "attributesMask", attr_json(&q.attributes_mask),
      "mrsigner", hex_json(q.mrsigner, SGXRA_HASH_SIZE), "isvprodid",
      (int)q.isvprodid, "tcbLevels", levels);
  if (!inner)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "QE Identity: out of memory");
  e = sign_json(cx, ca->tcb_key, "enclaveIdentity", inner, out_json, out_len);
  json_decref(inner);
  return e;
}

/* ---- bundle ------------------------------------------------------------- */

static sgxra_err write_chain(sgxra_ctx *cx, const char *dir, const char *name,
                             const char *first, const char *root) {
  size_t n = strlen(first) + strlen(root);
  char *s = malloc(n + 1);
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  memcpy(s, first, strlen(first));
  memcpy(s + strlen(first), root, strlen(root) + 1);
  sgxra_err e = sgxra__state_write(cx, dir, name, s, n, 0);
  free(s);
  return e;
}

sgxra_err
sgxra_intelca_write_bundle(sgxra_ctx *cx, sgxra_intelca *ca,
                           const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE],
                           int64_t now, const char *dir) {
  if (!ca || !fmspc || !dir)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "bundle: bad arguments");
  sgxra_err e = make_dir(cx, dir);
  if (e) return e;
  uint8_t *der = NULL;
  size_t n = 0;
  char *json = NULL;
  if ((e = sgxra_intelca_root_crl(cx, ca, now, &der, &n))) return e;
  e = sgxra__state_write(cx, dir, "root_ca_crl.der", der, n, 0);
  free(der);
  if (e ||
      (e = sgxra_intelca_pck_crl_of(cx, ca, ca->pck_issuer, now, &der, &n)))
    return e;
  e = sgxra__state_write(cx, dir, "pck_crl.der", der, n, 0);
  free(der);
  if (e || (e = sgxra_intelca_tcb_info(cx, ca, fmspc, now, &json, &n)))
    return e;
  e = sgxra__state_write(cx, dir, "tcb_info.json", json, n, 0);
  free(json);
  if (e || (e = sgxra_intelca_qe_identity(cx, ca, now, &json, &n))) return e;
  e = sgxra__state_write(cx, dir, "qe_identity.json", json, n, 0);
  free(json);
  if (e ||
      (e = write_chain(cx, dir, "pck_crl_issuer_chain.pem",
                       sgxra_intelca_pck_issuer_pem(ca), ca->root_pem)) ||
      (e = write_chain(cx, dir, "tcb_info_issuer_chain.pem", ca->tcb_pem,
                       ca->root_pem)) ||
      (e = write_chain(cx, dir, "qe_identity_issuer_chain.pem", ca->tcb_pem,
                       ca->root_pem)) ||
      (e = sgxra__state_write(cx, dir, "root_ca.pem", ca->root_pem,
                              strlen(ca->root_pem), 0)))
    return e;
  return SGXRA_OK;
}
