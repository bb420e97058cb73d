/*
 * emu/cpu.c -- the emulated ENCLS/ENCLU leaves: EINIT's checks, EREPORT and
 * EGETKEY (Intel SDM Vol. 3D, chapter 40 pseudo-code).  See sgxra/emu.h and
 * docs/EMULATOR.md.
 */
#include <stdio.h>
#include <stdlib.h>

#include "emu/cpu_internal.h"
#include "sgxra/crypto.h"
#include "sgxra/hex.h"
#include "sgxra/sigstruct.h"

/* SIGSTRUCT offsets read without decoding (SDM table 38-19). */
#define SS_MISCSELECT 900
#define SS_ATTRIBUTES 928

/* ATTRIBUTES bits always part of a seal/provision key's ATTRIBUTES,
 * whatever the mask (SDM EGETKEY: SEAL_KEY_FUSES ... ATTRIBUTES |=
 * INIT|DEBUG), so a debug enclave never gets a production enclave's key. */
#define ATTR_ALWAYS (SGXRA_ATTR_INIT | SGXRA_ATTR_DEBUG)

void sgxra_emu_load_options_from_sigstruct(const uint8_t *sigstruct, size_t n,
                                           sgxra_emu_load_options *out) {
  memset(out, 0, sizeof *out);
  if (sigstruct == NULL || n != SGXRA_SIGSTRUCT_SIZE) return;
  out->miscselect = sgxra__le32(sigstruct + SS_MISCSELECT);
  out->attributes.flags =
      sgxra__le64(sigstruct + SS_ATTRIBUTES) & ~SGXRA_ATTR_INIT;
  out->attributes.xfrm = sgxra__le64(sigstruct + SS_ATTRIBUTES + 8);
}

/* What ECREATE refuses in SECS.ATTRIBUTES. */
static sgxra_err ecreate_check(sgxra_ctx *cx, const sgxra_attributes *a) {
  if (a->flags & SGXRA_ATTR_RESERVED_MASK)
    return sgxra__fail(
        cx, SGXRA_E_EMU_ATTRIBUTES_INVALID,
        "ECREATE: ATTRIBUTES.FLAGS %#018llx sets reserved bits "
        "%#018llx",
        (unsigned long long)a->flags,
        (unsigned long long)(a->flags & SGXRA_ATTR_RESERVED_MASK));
  if (a->flags & SGXRA_ATTR_INIT)
    return sgxra__fail(cx, SGXRA_E_EMU_ATTRIBUTES_INVALID,
                       "ECREATE: ATTRIBUTES.INIT must be clear (EINIT sets "
                       "it)");
  if (a->flags & SGXRA_ATTR_KSS)
    return sgxra__fail(cx, SGXRA_E_EMU_ATTRIBUTES_INVALID,
                       "ECREATE: ATTRIBUTES.KSS (key separation and sharing) "
                       "is not emulated");
  if ((a->xfrm & 3) != 3)
    return sgxra__fail(cx, SGXRA_E_EMU_ATTRIBUTES_INVALID,
                       "ECREATE: XFRM %#llx must enable x87 and SSE (bits 0 "
                       "and 1)",
                       (unsigned long long)a->xfrm);
  return SGXRA_OK;
}

sgxra_err sgxra__emu_einit(sgxra_ctx *cx, sgxra_emu_platform *plat,
                           const uint8_t mrenclave[SGXRA_HASH_SIZE],
                           uint64_t size, uint32_t ssaframesize,
                           const uint8_t *sigstruct, size_t sigstruct_len,
                           const sgxra_emu_load_options *opt,
                           sgxra_emu_enclave **out_e) {
  sgxra_sigstruct ss;
  sgxra_emu_load_options def;
  sgxra_emu_secs secs;
  char why[SGXRA_CTX_MSG_SIZE];
  sgxra_err err;

  *out_e = NULL;
  if (opt == NULL) {
    sgxra_emu_load_options_from_sigstruct(sigstruct, sigstruct_len, &def);
    opt = &def;
  }
  /* A SIGSTRUCT of the wrong size is refused first, so its defaults are
   * never taken from garbage; then what ECREATE checks. */
  if (sgxra_sigstruct_decode(cx, sigstruct, sigstruct_len, &ss) != SGXRA_OK) {
    snprintf(why, sizeof why, "%s [%s]", sgxra_ctx_message(cx),
             sgxra_err_name(sgxra_ctx_error(cx)));
    return sgxra__fail(cx, SGXRA_E_EMU_SIGSTRUCT_INVALID,
                       "EINIT: SIGSTRUCT refused: %s", why);
  }
  err = ecreate_check(cx, &opt->attributes);
  if (err) return err;

  /* 1. The SIGSTRUCT itself: header constants, exponent, RSA signature,
   * Q1/Q2 (the hardware checks the signature with the embedded key). */
  if (sgxra_sigstruct_verify(cx, &ss) != SGXRA_OK) {
    snprintf(why, sizeof why, "%s [%s]", sgxra_ctx_message(cx),
             sgxra_err_name(sgxra_ctx_error(cx)));
    return sgxra__fail(cx, SGXRA_E_EMU_SIGSTRUCT_INVALID,
                       "EINIT: SIGSTRUCT refused: %s", why);
  }

  /* 2. ATTRIBUTES and MISCSELECT under the signer's masks. */
  uint64_t mf = ss.attributemask.flags, mx = ss.attributemask.xfrm;
  if ((opt->attributes.flags & mf) != (ss.attributes.flags & mf) ||
      (opt->attributes.xfrm & mx) != (ss.attributes.xfrm & mx))
    return sgxra__fail(
        cx, SGXRA_E_EMU_ATTRIBUTES_MISMATCH,
        "EINIT: ATTRIBUTES %#llx/xfrm %#llx do not match the SIGSTRUCT's "
        "%#llx/xfrm %#llx under its mask %#llx/xfrm %#llx: load with the "
        "attributes the enclave was signed for",
        (unsigned long long)opt->attributes.flags,
        (unsigned long long)opt->attributes.xfrm,
        (unsigned long long)ss.attributes.flags,
        (unsigned long long)ss.attributes.xfrm, (unsigned long long)mf,
        (unsigned long long)mx);
  if ((opt->miscselect & ss.miscmask) != (ss.miscselect & ss.miscmask))
    return sgxra__fail(cx, SGXRA_E_EMU_MISCSELECT_MISMATCH,
                       "EINIT: MISCSELECT %#x does not match the SIGSTRUCT's "
                       "%#x under its mask %#x",
                       opt->miscselect, ss.miscselect, ss.miscmask);

  /* 3. The measurement of what was loaded against what was signed. */
  if (!sgxra_ct_equal(mrenclave, ss.enclavehash, SGXRA_HASH_SIZE)) {
    char got[2 * SGXRA_HASH_SIZE + 1], want[2 * SGXRA_HASH_SIZE + 1];
    sgxra_hex_encode(mrenclave, SGXRA_HASH_SIZE, got);
    sgxra_hex_encode(ss.enclavehash, SGXRA_HASH_SIZE, want);
    return sgxra__fail(cx, SGXRA_E_EMU_MRENCLAVE_MISMATCH,
                       "EINIT: the loaded enclave measures %s but its "
                       "SIGSTRUCT signs ENCLAVEHASH %s: the enclave file was "
                       "changed after signing, or this SIGSTRUCT belongs to "
                       "another build",
                       got, want);
  }

  memset(&secs, 0, sizeof secs);
  secs.size = size;
  secs.ssaframesize = ssaframesize;
  secs.miscselect = opt->miscselect;
  secs.attributes = opt->attributes;
  secs.attributes.flags |= SGXRA_ATTR_INIT;
  memcpy(secs.mrenclave, mrenclave, SGXRA_HASH_SIZE);
  err = sgxra_sigstruct_mrsigner(cx, &ss, secs.mrsigner);
  if (err) return err;
  secs.isvprodid = ss.isvprodid;
  secs.isvsvn = ss.isvsvn;
  /* ISVFAMILYID / ISVEXTPRODID are copied only with KSS, refused above. */

  sgxra_emu_enclave *e = calloc(1, sizeof *e);
  if (!e)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory for an enclave");
  e->plat = plat;
  e->secs = secs;
  e->code_fd = -1;
  *out_e = e;
  return SGXRA_OK;
}

void sgxra_emu_enclave_secs(const sgxra_emu_enclave *e,
                            sgxra_emu_secs *out_secs) {
  *out_secs = e->secs;
}

void sgxra_emu_enclave_targetinfo(const sgxra_emu_enclave *e,
                                  sgxra_targetinfo *out_ti) {
  memset(out_ti, 0, sizeof *out_ti);
  memcpy(out_ti->mrenclave, e->secs.mrenclave, SGXRA_HASH_SIZE);
  out_ti->attributes = e->secs.attributes;
  out_ti->configsvn = e->secs.configsvn;
  out_ti->miscselect = e->secs.miscselect;
  memcpy(out_ti->configid, e->secs.configid, SGXRA_CONFIGID_SIZE);
}

/* The REPORT body of enclave e (SDM EREPORT: everything from the SECS and
 * CR_CPUSVN, REPORTDATA from the caller). */
static void report_body(const sgxra_emu_enclave *e,
                        const uint8_t reportdata[SGXRA_REPORTDATA_SIZE],
                        sgxra_report_body *b) {
  memset(b, 0, sizeof *b);
  memcpy(b->cpusvn, e->plat->cfg.cpusvn, SGXRA_CPUSVN_SIZE);
  b->miscselect = e->secs.miscselect;
  memcpy(b->isvextprodid, e->secs.isvextprodid, SGXRA_ISVEXTPRODID_SIZE);
  b->attributes = e->secs.attributes;
  memcpy(b->mrenclave, e->secs.mrenclave, SGXRA_HASH_SIZE);
  memcpy(b->mrsigner, e->secs.mrsigner, SGXRA_HASH_SIZE);
  memcpy(b->configid, e->secs.configid, SGXRA_CONFIGID_SIZE);
  b->isvprodid = e->secs.isvprodid;
  b->isvsvn = e->secs.isvsvn;
  b->configsvn = e->secs.configsvn;
  memcpy(b->isvfamilyid, e->secs.isvfamilyid, SGXRA_ISVFAMILYID_SIZE);
  memcpy(b->reportdata, reportdata, SGXRA_REPORTDATA_SIZE);
}

sgxra_err sgxra_emu_ereport(sgxra_ctx *cx, const sgxra_emu_enclave *e,
                            const sgxra_targetinfo *target,
                            const uint8_t reportdata[SGXRA_REPORTDATA_SIZE],
                            sgxra_report *out_report) {
  uint8_t key[SGXRA_EMU_KEY_SIZE], body[SGXRA_REPORT_BODY_SIZE];
  memset(out_report, 0, sizeof *out_report);
  if (e == NULL || target == NULL || reportdata == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "EREPORT: missing enclave, TARGETINFO or REPORTDATA");
  report_body(e, reportdata, &out_report->body);
  memcpy(out_report->keyid, e->plat->report_keyid, SGXRA_KEYID_SIZE);
  sgxra_report_body_encode(&out_report->body, body);
  sgxra_err err =
      sgxra__emu_report_key(cx, e->plat, target, e->plat->report_keyid, key);
  if (!err)
    err = sgxra_aes128_cmac(cx, key, body, sizeof body, out_report->mac);
  sgxra_wipe(key, sizeof key);
  if (err) memset(out_report, 0, sizeof *out_report);
  return err;
}

sgxra_err sgxra_emu_report_verify(sgxra_ctx *cx, const sgxra_emu_enclave *e,
                                  const sgxra_report *report) {
  sgxra_targetinfo self;
  uint8_t key[SGXRA_EMU_KEY_SIZE], body[SGXRA_REPORT_BODY_SIZE],
      mac[SGXRA_CMAC_SIZE];
  sgxra_emu_enclave_targetinfo(e, &self);
  sgxra_report_body_encode(&report->body, body);
  sgxra_err err = sgxra__emu_report_key(cx, e->plat, &self, report->keyid, key);
  if (!err) err = sgxra_aes128_cmac(cx, key, body, sizeof body, mac);
  sgxra_wipe(key, sizeof key);
  if (err) return err;
  if (!sgxra_ct_equal(mac, report->mac, SGXRA_CMAC_SIZE))
    return sgxra__fail(cx, SGXRA_E_EMU_REPORT_MAC,
                       "REPORT MAC does not verify with the report key of "
                       "this enclave: the REPORT was made for another target "
                       "enclave, on another platform or boot, or was altered "
                       "after EREPORT");
  return SGXRA_OK;
}

/* EGETKEY (SDM 40, EGETKEY pseudo-code, per KEYNAME). */
sgxra_err sgxra_emu_egetkey(sgxra_ctx *cx, const sgxra_emu_enclave *e,
                            const sgxra_keyrequest *req,
                            uint8_t out_key[SGXRA_EMU_KEY_SIZE]) {
  const sgxra_emu_secs *s = &e->secs;
  const sgxra_emu_platform *pl = e->plat;
  sgxra__emu_keydep d;
  sgxra__emu_fuse fuse = SGXRA__EMU_FUSE_SEAL;
  sgxra_err err;

  memset(out_key, 0, SGXRA_EMU_KEY_SIZE);
  if (!sgxra__all_zero(req->reserved1, sizeof req->reserved1) ||
      !sgxra__all_zero(req->reserved2, sizeof req->reserved2))
    return sgxra__fail(cx, SGXRA_E_EMU_RESERVED,
                       "EGETKEY: KEYREQUEST reserved bytes (offsets 6..8 and "
                       "78..512) must be zero");
  /* SDM EGETKEY: without KSS, KEYPOLICY bits 2..5 (NOISVPRODID, CONFIGID,
   * ISVFAMILYID, ISVEXTPRODID) and a nonzero CONFIGSVN are #GP, for every
   * KEYNAME; bits 6..15 are reserved (#GP too).  KSS is not emulated, so
   * only MRENCLAVE and MRSIGNER remain. */
  const uint16_t allowed = SGXRA_KEYPOLICY_MRENCLAVE | SGXRA_KEYPOLICY_MRSIGNER;
  if (req->keypolicy & ~allowed)
    return sgxra__fail(cx, SGXRA_E_EMU_KEYPOLICY,
                       "EGETKEY: KEYPOLICY %#x has bits %#x that need KSS "
                       "(NOISVPRODID 0x4, CONFIGID 0x8, ISVFAMILYID 0x10, "
                       "ISVEXTPRODID 0x20) or are reserved; KSS is not "
                       "emulated, so only MRENCLAVE 0x1 and MRSIGNER 0x2 are "
                       "allowed",
                       req->keypolicy, req->keypolicy & ~allowed);
  if (req->configsvn != 0)
    return sgxra__fail(cx, SGXRA_E_EMU_KEYPOLICY,
                       "EGETKEY: KEYREQUEST CONFIGSVN (offset 76) is %u; a "
                       "nonzero CONFIGSVN needs KSS, which is not emulated: "
                       "set it to 0",
                       req->configsvn);

  memset(&d, 0, sizeof d);
  d.keyname = req->keyname;
  switch (req->keyname) {
  case SGXRA_KEYNAME_REPORT: {
    sgxra_targetinfo self;
    sgxra_emu_enclave_targetinfo(e, &self);
    return sgxra__emu_report_key(cx, pl, &self, req->keyid, out_key);
  }
  case SGXRA_KEYNAME_SEAL:
  case SGXRA_KEYNAME_PROVISION:
  case SGXRA_KEYNAME_PROVISION_SEAL:
    break;
  case SGXRA_KEYNAME_EINITTOKEN:
    return sgxra__fail(cx, SGXRA_E_EMU_KEYNAME,
                       "EGETKEY: EINITTOKEN keys are not emulated (the "
                       "emulated CPU has flexible launch control and needs "
                       "no launch tokens)");
  default:
    return sgxra__fail(cx, SGXRA_E_EMU_KEYNAME,
                       "EGETKEY: unknown KEYNAME %u (expected 0..4)",
                       req->keyname);
  }

  if (req->keyname != SGXRA_KEYNAME_SEAL &&
      !(s->attributes.flags & SGXRA_ATTR_PROVISIONKEY))
    return sgxra__fail(cx, SGXRA_E_EMU_PROVISIONKEY,
                       "EGETKEY: KEYNAME %u (provisioning) needs the "
                       "PROVISIONKEY attribute, which this enclave lacks",
                       req->keyname);
  /* The SDM's order: CPUSVN, then ISVSVN. */
  for (size_t i = 0; i < SGXRA_CPUSVN_SIZE; i++)
    if (req->cpusvn[i] > pl->cfg.cpusvn[i])
      return sgxra__fail(cx, SGXRA_E_EMU_CPUSVN,
                         "EGETKEY: requested CPUSVN byte %zu is %u, above the "
                         "platform's %u: keys of a newer TCB cannot be had",
                         i, req->cpusvn[i], pl->cfg.cpusvn[i]);
  if (req->isvsvn > s->isvsvn)
    return sgxra__fail(cx, SGXRA_E_EMU_ISVSVN,
                       "EGETKEY: requested ISVSVN %u is above the enclave's "
                       "ISVSVN %u: keys of future versions cannot be had",
                       req->isvsvn, s->isvsvn);

  /* Common to SEAL, PROVISION, PROVISION_SEAL. */
  d.isvprodid = s->isvprodid; /* NOISVPRODID needs KSS: refused above */
  d.isvsvn = req->isvsvn;
  d.attributes.flags =
      s->attributes.flags & (req->attributemask.flags | ATTR_ALWAYS);
  d.attributes.xfrm = s->attributes.xfrm & req->attributemask.xfrm;
  d.attributemask = req->attributemask;
  memcpy(d.cpusvn, req->cpusvn, SGXRA_CPUSVN_SIZE);
  d.miscselect = s->miscselect & req->miscmask;
  d.miscmask = ~req->miscmask;
  if (req->keyname == SGXRA_KEYNAME_SEAL) {
    memcpy(d.ownerepoch, pl->ownerepoch, sizeof d.ownerepoch);
    if (req->keypolicy & SGXRA_KEYPOLICY_MRENCLAVE)
      memcpy(d.mrenclave, s->mrenclave, SGXRA_HASH_SIZE);
    if (req->keypolicy & SGXRA_KEYPOLICY_MRSIGNER)
      memcpy(d.mrsigner, s->mrsigner, SGXRA_HASH_SIZE);
    memcpy(d.keyid, req->keyid, SGXRA_KEYID_SIZE);
  } else {
    /* Provisioning keys: bound to the signer always, not to OWNEREPOCH or
     * a KEYID, so they survive an owner change (SDM EGETKEY). */
    memcpy(d.mrsigner, s->mrsigner, SGXRA_HASH_SIZE);
    if (req->keyname == SGXRA_KEYNAME_PROVISION)
      fuse = SGXRA__EMU_FUSE_PROVISION;
  }
  err = sgxra__emu_derive(cx, pl, fuse, &d, out_key);
  sgxra_wipe(&d, sizeof d);
  return err;
}
