/*
 * emu/enclave.c -- making enclaves (layout + measurement + EINIT) and
 * running an enclave shared object's entry point with EREPORT/EGETKEY bound
 * to its identity.  See sgxra/emu.h and sgxra/enclave_api.h.
 *
 * Emulation gives identity, not isolation: the .so is dlopen()ed into this
 * process.  The file is read once; the code that runs is loaded from those
 * very bytes (copied into a sealed memfd), never from the path again, so a
 * file swapped after it was measured cannot run under the measured identity.
 */
#define _GNU_SOURCE /* memfd_create, F_ADD_SEALS */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu/cpu_internal.h"
#include "sgxra/crypto.h"
#include "sgxra/file.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"

sgxra_err sgxra_emu_enclave_create(sgxra_ctx *cx, sgxra_emu_platform *plat,
                                   const uint8_t *elf, size_t elf_len,
                                   const uint8_t *sigstruct,
                                   size_t sigstruct_len,
                                   const sgxra_emu_load_options *opt,
                                   sgxra_emu_enclave **out_e) {
  sgxra_layout_params prm;
  sgxra_layout lay;
  uint8_t mr[SGXRA_HASH_SIZE];
  *out_e = NULL;
  if (plat == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "enclave create: no platform");
  sgxra_layout_params_default(&prm);
  sgxra_err err = sgxra_layout_measure_elf_ex(cx, elf, elf_len, &prm, &lay, mr);
  if (err) return sgxra__context(cx, err, "loading enclave");
  return sgxra__emu_einit(cx, plat, mr, lay.size, lay.ssaframesize, sigstruct,
                          sigstruct_len, opt, out_e);
}

/* SIZE of a raw image: the next power of two >= its length (at least two
 * pages), as sgxra_measure_raw_image measures it. */
sgxra_err sgxra_emu_enclave_create_image(
    sgxra_ctx *cx, sgxra_emu_platform *plat, const uint8_t *image,
    size_t image_len, const uint8_t *sigstruct, size_t sigstruct_len,
    const sgxra_emu_load_options *opt, sgxra_emu_enclave **out_e) {
  uint8_t mr[SGXRA_HASH_SIZE];
  *out_e = NULL;
  if (plat == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "enclave create: no platform");
  sgxra_err err = sgxra_measure_raw_image(cx, image, image_len, 1,
                                          SGXRA_SECINFO_REG_RWX, mr);
  if (err) return sgxra__context(cx, err, "loading enclave image");
  uint64_t size = 2 * SGXRA_PAGE_SIZE;
  while (size < image_len) size <<= 1;
  return sgxra__emu_einit(cx, plat, mr, size, 1, sigstruct, sigstruct_len, opt,
                          out_e);
}

void sgxra_emu_enclave_free(sgxra_emu_enclave *e) {
  if (!e) return;
  if (e->dl) dlclose(e->dl);
  if (e->code_fd >= 0) close(e->code_fd);
  sgxra_wipe(e, sizeof *e);
  free(e);
}

/* ---- running the enclave's code ---- */

/* The api's EREPORT: bytes in, bytes out, identity from `self` only. */
static int api_ereport(void *self, const uint8_t targetinfo[512],
                       const uint8_t reportdata[64], uint8_t out_report[432]) {
  sgxra_emu_enclave *e = self;
  sgxra_targetinfo ti;
  sgxra_report r;
  memset(out_report, 0, SGXRA_REPORT_SIZE);
  sgxra_err err = sgxra_targetinfo_decode(e->call_cx, targetinfo,
                                          SGXRA_TARGETINFO_SIZE, &ti);
  if (!err) err = sgxra_emu_ereport(e->call_cx, e, &ti, reportdata, &r);
  if (!err) sgxra_report_encode(&r, out_report);
  return (int)err;
}

static int api_egetkey(void *self, const uint8_t keyrequest[512],
                       uint8_t out_key[16]) {
  sgxra_emu_enclave *e = self;
  sgxra_keyrequest kr;
  memset(out_key, 0, SGXRA_EMU_KEY_SIZE);
  sgxra_err err = sgxra_keyrequest_decode(e->call_cx, keyrequest,
                                          SGXRA_KEYREQUEST_SIZE, &kr);
  if (!err) err = sgxra_emu_egetkey(e->call_cx, e, &kr, out_key);
  return (int)err;
}

/* ---- the version-2 crypto runtime: sgxra/crypto.h behind raw bytes ----
 * Every function takes and returns bytes only; keys are made from the raw
 * scalar / point for the call and freed (and so wiped by OpenSSL) before it
 * returns.  Errors carry their message in the running call's context. */

static sgxra_ctx *rt_cx(void *self) {
  return ((sgxra_emu_enclave *)self)->call_cx;
}

static int rt_random(void *self, uint8_t *out, size_t n) {
  if (n == 0) return 0;
  if (out == NULL) return SGXRA_E_INVALID_ARGUMENT;
  sgxra_err e = sgxra_random(rt_cx(self), out, n);
  if (e) memset(out, 0, n);
  return (int)e;
}

static int rt_sha256(void *self, const uint8_t *p, size_t n, uint8_t out[32]) {
  if (p == NULL && n) return SGXRA_E_INVALID_ARGUMENT;
  sgxra_err e = sgxra_sha256(rt_cx(self), p, n, out);
  if (e) memset(out, 0, 32);
  return (int)e;
}

static int rt_cmac(void *self, const uint8_t key[16], const uint8_t *msg,
                   size_t n, uint8_t out[16]) {
  if (msg == NULL && n) return SGXRA_E_INVALID_ARGUMENT;
  sgxra_err e = sgxra_aes128_cmac(rt_cx(self), key, msg, n, out);
  if (e) memset(out, 0, 16);
  return (int)e;
}

static int rt_gcm_encrypt(void *self, const uint8_t key[16],
                          const uint8_t iv[12], const uint8_t *aad,
                          size_t aad_len, const uint8_t *pt, size_t n,
                          uint8_t *out_ct, uint8_t out_tag[16]) {
  if ((aad == NULL && aad_len) || ((pt == NULL || out_ct == NULL) && n))
    return SGXRA_E_INVALID_ARGUMENT;
  sgxra_err e = sgxra_aes128_gcm_encrypt(rt_cx(self), key, iv, 12, aad, aad_len,
                                         pt, n, out_ct, out_tag);
  if (e) {
    if (n) memset(out_ct, 0, n);
    memset(out_tag, 0, 16);
  }
  return (int)e;
}

static int rt_gcm_decrypt(void *self, const uint8_t key[16],
                          const uint8_t iv[12], const uint8_t *aad,
                          size_t aad_len, const uint8_t *ct, size_t n,
                          const uint8_t tag[16], uint8_t *out_pt) {
  if ((aad == NULL && aad_len) || ((ct == NULL || out_pt == NULL) && n))
    return SGXRA_E_INVALID_ARGUMENT;
  sgxra_err e = sgxra_aes128_gcm_decrypt(rt_cx(self), key, iv, 12, aad, aad_len,
                                         ct, n, tag, out_pt);
  if (e && n) sgxra_wipe(out_pt, n);
  return (int)e;
}

static int rt_p256_generate(void *self, uint8_t out_priv[32],
                            uint8_t out_pub[64]) {
  sgxra_p256_key *k = NULL;
  sgxra_err e = sgxra_p256_generate(rt_cx(self), &k);
  if (!e) e = sgxra_p256_private_raw(rt_cx(self), k, out_priv);
  if (!e) sgxra_p256_public_raw(k, out_pub);
  sgxra_p256_free(k);
  if (e) {
    sgxra_wipe(out_priv, 32);
    memset(out_pub, 0, 64);
  }
  return (int)e;
}

static int rt_p256_ecdh(void *self, const uint8_t priv[32],
                        const uint8_t peer_pub[64], uint8_t out_x[32]) {
  sgxra_p256_key *d = NULL, *q = NULL;
  sgxra_err e = sgxra_p256_from_private(rt_cx(self), priv, &d);
  if (!e) e = sgxra_p256_from_public(rt_cx(self), peer_pub, &q);
  if (!e) e = sgxra_p256_ecdh(rt_cx(self), d, q, out_x);
  sgxra_p256_free(d);
  sgxra_p256_free(q);
  if (e) sgxra_wipe(out_x, 32);
  return (int)e;
}

static int rt_p256_verify(void *self, const uint8_t pub[64], const uint8_t *msg,
                          size_t n, const uint8_t sig[64]) {
  if (msg == NULL && n) return SGXRA_E_INVALID_ARGUMENT;
  sgxra_p256_key *q = NULL;
  sgxra_err e = sgxra_p256_from_public(rt_cx(self), pub, &q);
  if (!e) e = sgxra_p256_verify(rt_cx(self), q, msg, n, sig);
  sgxra_p256_free(q);
  return (int)e;
}

void sgxra__emu_enclave_api_init(sgxra_emu_enclave *e, uint32_t version,
                                 sgxra_enclave_api *api) {
  memset(api, 0, sizeof *api);
  api->version = version;
  api->size = sizeof *api;
  api->self = e;
  api->ereport = api_ereport;
  api->egetkey = api_egetkey;
  if (version >= 2) {
    api->random = rt_random;
    api->sha256 = rt_sha256;
    api->aes128_cmac = rt_cmac;
    api->aes128_gcm_encrypt = rt_gcm_encrypt;
    api->aes128_gcm_decrypt = rt_gcm_decrypt;
    api->p256_generate = rt_p256_generate;
    api->p256_ecdh = rt_p256_ecdh;
    api->p256_verify = rt_p256_verify;
  }
}

const char *sgxra__emu_enclave_rc_name(int rc) {
  static const char *const names[] = {
      "SGXRA_ENCLAVE_E_MESSAGE", "SGXRA_ENCLAVE_E_GROUP",
      "SGXRA_ENCLAVE_E_SPID",    "SGXRA_ENCLAVE_E_SIGNATURE",
      "SGXRA_ENCLAVE_E_MAC",     "SGXRA_ENCLAVE_E_STATE",
      "SGXRA_ENCLAVE_E_BUSY",    "SGXRA_ENCLAVE_E_QUOTE",
      "SGXRA_ENCLAVE_E_DECRYPT", "SGXRA_ENCLAVE_E_SEALED",
      "SGXRA_ENCLAVE_E_SPACE",   "SGXRA_ENCLAVE_E_CRYPTO",
      "SGXRA_ENCLAVE_E_API"};
  if (rc >= 0 || -(long)rc > (long)(sizeof names / sizeof names[0]))
    return NULL;
  return names[-rc - 1];
}

/* The measured bytes as a sealed anonymous file: nothing can change them
 * any more (no write, no shrink, no grow, no seal removal).  *out_fd is the
 * descriptor or -1. */
static sgxra_err sealed_copy(sgxra_ctx *cx, const uint8_t *buf, size_t len,
                             int *out_fd) {
  *out_fd = -1;
  int fd = memfd_create("sgxra-enclave", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return sgxra__fail(cx, SGXRA_E_EMU_DLOPEN,
                       "memfd_create for the measured enclave bytes failed: "
                       "%s",
                       SGXRA__ERRNO_STR(errno));
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, buf + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int why = w < 0 ? errno : EIO;
      close(fd);
      return sgxra__fail(cx, SGXRA_E_EMU_DLOPEN,
                         "copying the measured enclave bytes to a memfd "
                         "failed after %zu of %zu bytes: %s",
                         done, len, SGXRA__ERRNO_STR(why));
    }
    done += (size_t)w;
  }
  if (fcntl(fd, F_ADD_SEALS,
            F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    int why = errno;
    close(fd);
    return sgxra__fail(cx, SGXRA_E_EMU_DLOPEN,
                       "sealing the memfd of the measured enclave bytes "
                       "failed: %s",
                       SGXRA__ERRNO_STR(why));
  }
  *out_fd = fd;
  return SGXRA_OK;
}

sgxra_err sgxra_emu_enclave_load(sgxra_ctx *cx, sgxra_emu_platform *plat,
                                 const char *so_path, const uint8_t *sigstruct,
                                 size_t sigstruct_len,
                                 const sgxra_emu_load_options *opt,
                                 sgxra_emu_enclave **out_e) {
  uint8_t *buf = NULL;
  size_t len = 0;
  sgxra_emu_enclave *e = NULL;
  char path[64];
  *out_e = NULL;

  sgxra_err err =
      sgxra_file_read(cx, so_path, SGXRA_LAYOUT_MAX_IMAGE, &buf, &len);
  if (err) return err;
  err = sgxra_emu_enclave_create(cx, plat, buf, len, sigstruct, sigstruct_len,
                                 opt, &e);
  if (err) {
    free(buf);
    return sgxra__context(cx, err, "%s", so_path);
  }
  /* dlopen() the bytes just measured, not the path: the sealed memfd stays
   * open as long as the enclave, so its /proc/self/fd name is not reused
   * while the object is loaded. */
  err = sealed_copy(cx, buf, len, &e->code_fd);
  free(buf);
  if (err) {
    sgxra__context(cx, err, "%s", so_path);
    goto done;
  }
  snprintf(path, sizeof path, "/proc/self/fd/%d", e->code_fd);
  /* dlopen() returns an already loaded object by name without opening the
   * file: an object of that name still loaded (one that dlclose() could not
   * unload) must not stand in for these bytes. */
  void *stale = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  if (stale) {
    dlclose(stale);
    err = sgxra__fail(cx, SGXRA_E_EMU_DLOPEN,
                      "%s: an object named %s is still loaded in this process "
                      "(an earlier enclave that could not be unloaded), so "
                      "dlopen() would not load the measured bytes",
                      so_path, path);
    goto done;
  }
  dlerror();
  e->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!e->dl) {
    const char *why = dlerror();
    err = sgxra__fail(cx, SGXRA_E_EMU_DLOPEN, "%s: dlopen failed: %s", so_path,
                      why ? why : "unknown reason");
    goto done;
  }
  void *sym = dlsym(e->dl, SGXRA_ENCLAVE_ENTRY_SYMBOL);
  if (!sym) {
    err = sgxra__fail(cx, SGXRA_E_EMU_DLOPEN,
                      "%s: no exported function %s(): an sgxra enclave must "
                      "export it (sgxra/enclave_api.h)",
                      so_path, SGXRA_ENCLAVE_ENTRY_SYMBOL);
    goto done;
  }
  /* POSIX guarantees a data pointer from dlsym converts to a function. */
  memcpy(&e->entry, &sym, sizeof e->entry);
  /* The api version it asks for: 1 without the symbol; never above ours. */
  e->api_version = 1;
  const void *ver = dlsym(e->dl, SGXRA_ENCLAVE_API_VERSION_SYMBOL);
  if (ver) {
    uint32_t v;
    memcpy(&v, ver, sizeof v);
    if (v > SGXRA_ENCLAVE_API_VERSION) {
      err = sgxra__fail(cx, SGXRA_E_EMU_DLOPEN,
                        "%s: the enclave asks for enclave api version %u; "
                        "this emulator provides up to %d",
                        so_path, v, SGXRA_ENCLAVE_API_VERSION);
      goto done;
    }
    e->api_version = v < 1 ? 1 : v;
  }
  *out_e = e;
  e = NULL;
done:
  sgxra_emu_enclave_free(e);
  return err;
}

sgxra_err sgxra_emu_enclave_call_ex(sgxra_ctx *cx, sgxra_emu_enclave *e,
                                    uint32_t op, const uint8_t *in,
                                    size_t in_len, uint8_t *out, size_t out_cap,
                                    size_t *out_len, int *out_rc) {
  sgxra_enclave_api api;
  size_t got = 0;
  *out_len = 0;
  if (out_rc) *out_rc = 0;
  if (e == NULL || e->entry == NULL)
    return sgxra__fail(cx, SGXRA_E_EMU_DLOPEN,
                       "enclave has no code to call: it was made from bytes; "
                       "load it from its .so file to run it");
  sgxra__emu_enclave_api_init(e, e->api_version, &api);
  e->call_cx = cx;
  sgxra_ctx_clear(cx);
  int rc = e->entry(&api, op, in, in_len, out, out_cap, &got);
  e->call_cx = NULL;
  sgxra_wipe(&api, sizeof api);
  if (rc != 0) {
    char why[SGXRA_CTX_MSG_SIZE];
    if (out_rc) *out_rc = rc;
    if (sgxra_ctx_error(cx) != SGXRA_OK)
      snprintf(why, sizeof why, ": %s [%s]", sgxra_ctx_message(cx),
               sgxra_err_name(sgxra_ctx_error(cx)));
    else
      why[0] = '\0';
    if (out) memset(out, 0, out_cap);
    const char *name = sgxra__emu_enclave_rc_name(rc);
    return sgxra__fail(cx, SGXRA_E_EMU_ECALL,
                       "enclave entry point, operation %#x, returned %d (%s)%s",
                       op, rc, name ? name : sgxra_err_name((sgxra_err)rc),
                       why);
  }
  if (got > out_cap) {
    if (out) memset(out, 0, out_cap);
    return sgxra__fail(cx, SGXRA_E_EMU_ECALL,
                       "enclave entry point, operation %#x, claims %zu bytes "
                       "of output in a %zu-byte buffer",
                       op, got, out_cap);
  }
  *out_len = got;
  return SGXRA_OK;
}

sgxra_err sgxra_emu_enclave_call(sgxra_ctx *cx, sgxra_emu_enclave *e,
                                 uint32_t op, const uint8_t *in, size_t in_len,
                                 uint8_t *out, size_t out_cap,
                                 size_t *out_len) {
  return sgxra_emu_enclave_call_ex(cx, e, op, in, in_len, out, out_cap, out_len,
                                   NULL);
}

uint32_t sgxra_emu_enclave_api_version(const sgxra_emu_enclave *e) {
  return e && e->entry ? e->api_version : 0;
}

sgxra_err sgxra_emu_enclave_get_report(
    sgxra_ctx *cx, sgxra_emu_enclave *e, const sgxra_targetinfo *target,
    const uint8_t reportdata[SGXRA_REPORTDATA_SIZE], sgxra_report *out_report) {
  uint8_t in[SGXRA_TARGETINFO_SIZE + SGXRA_REPORTDATA_SIZE];
  uint8_t out[SGXRA_REPORT_SIZE];
  size_t got = 0;
  memset(out_report, 0, sizeof *out_report);
  sgxra_targetinfo_encode(target, in);
  memcpy(in + SGXRA_TARGETINFO_SIZE, reportdata, SGXRA_REPORTDATA_SIZE);
  sgxra_err err = sgxra_emu_enclave_call(cx, e, SGXRA_ENCLAVE_OP_REPORT, in,
                                         sizeof in, out, sizeof out, &got);
  if (err) return err;
  if (got != SGXRA_REPORT_SIZE)
    return sgxra__fail(cx, SGXRA_E_EMU_ECALL,
                       "enclave answered the REPORT operation with %zu bytes, "
                       "expected a %d-byte REPORT",
                       got, SGXRA_REPORT_SIZE);
  return sgxra_report_decode(cx, out, got, out_report);
}
