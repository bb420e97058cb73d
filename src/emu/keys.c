/*
 * emu/keys.c -- key derivation of the emulated CPU (docs/EMULATOR.md,
 * "Key derivation").
 *
 * Hardware derives every EGETKEY/EREPORT key with AES-CMAC from fuse keys
 * and a KEYDEPENDENCIES block (Intel SDM Vol. 3D, 40: EGETKEY pseudo-code).
 * The emulator does the same with its platform root secret in place of the
 * fuses:
 *
 *   seal fuses      = AES-CMAC(root, "sgxra emu: SEAL ")        (16 bytes)
 *   provision fuses = AES-CMAC(root, "sgxra emu: PROV ")        (16 bytes)
 *   key             = AES-CMAC(fuse, KEYDEPENDENCIES, 272 bytes)
 *
 * KEYDEPENDENCIES, little-endian:
 *
 *     0 KEYNAME u16       2 ISVPRODID u16     4 ISVSVN u16
 *     6 CONFIGSVN u16     8 OWNEREPOCH [16]  24 ATTRIBUTES [16]
 *    40 ATTRIBUTEMASK[16] 56 MRENCLAVE [32]   88 MRSIGNER [32]
 *   120 KEYID [32]      152 CPUSVN [16]     168 MISCSELECT u32
 *   172 MISCMASK u32    176 ISVFAMILYID[16] 192 ISVEXTPRODID [16]
 *   208 CONFIGID [64]   272 end
 */
#include "emu/cpu_internal.h"
#include "sgxra/crypto.h"

static const char label_seal[16] = "sgxra emu: SEAL ";
static const char label_prov[16] = "sgxra emu: PROV ";

void sgxra__emu_keydep_encode(const sgxra__emu_keydep *d,
                              uint8_t out[SGXRA__EMU_KEYDEP_SIZE]) {
  memset(out, 0, SGXRA__EMU_KEYDEP_SIZE);
  sgxra__st16(out + 0, d->keyname);
  sgxra__st16(out + 2, d->isvprodid);
  sgxra__st16(out + 4, d->isvsvn);
  sgxra__st16(out + 6, d->configsvn);
  memcpy(out + 8, d->ownerepoch, 16);
  sgxra__st64(out + 24, d->attributes.flags);
  sgxra__st64(out + 32, d->attributes.xfrm);
  sgxra__st64(out + 40, d->attributemask.flags);
  sgxra__st64(out + 48, d->attributemask.xfrm);
  memcpy(out + 56, d->mrenclave, 32);
  memcpy(out + 88, d->mrsigner, 32);
  memcpy(out + 120, d->keyid, 32);
  memcpy(out + 152, d->cpusvn, 16);
  sgxra__st32(out + 168, d->miscselect);
  sgxra__st32(out + 172, d->miscmask);
  memcpy(out + 176, d->isvfamilyid, 16);
  memcpy(out + 192, d->isvextprodid, 16);
  memcpy(out + 208, d->configid, 64);
}

sgxra_err sgxra__emu_fuses(sgxra_ctx *cx, sgxra_emu_platform *plat) {
  sgxra_err err =
      sgxra_aes128_cmac(cx, plat->root_key, label_seal, 16, plat->seal_fuse);
  if (err == SGXRA_OK)
    err =
        sgxra_aes128_cmac(cx, plat->root_key, label_prov, 16, plat->prov_fuse);
  if (err) {
    sgxra_wipe(plat->seal_fuse, sizeof plat->seal_fuse);
    sgxra_wipe(plat->prov_fuse, sizeof plat->prov_fuse);
  }
  return err;
}

sgxra_err sgxra__emu_derive(sgxra_ctx *cx, const sgxra_emu_platform *plat,
                            sgxra__emu_fuse fuse, const sgxra__emu_keydep *d,
                            uint8_t out_key[SGXRA_EMU_KEY_SIZE]) {
  uint8_t dep[SGXRA__EMU_KEYDEP_SIZE];
  sgxra__emu_keydep_encode(d, dep);
  sgxra_err err = sgxra_aes128_cmac(
      cx, fuse == SGXRA__EMU_FUSE_PROVISION ? plat->prov_fuse : plat->seal_fuse,
      dep, sizeof dep, out_key);
  sgxra_wipe(dep, sizeof dep);
  if (err) memset(out_key, 0, SGXRA_EMU_KEY_SIZE);
  return err;
}

/* The REPORT key dependencies (SDM EREPORT / EGETKEY REPORT_KEY): the
 * target's ATTRIBUTES, MRENCLAVE, MISCSELECT, CONFIGID/CONFIGSVN, the
 * platform's OWNEREPOCH and current CPUSVN, and the KEYID; everything else
 * zero. */
sgxra_err sgxra__emu_report_key(sgxra_ctx *cx, const sgxra_emu_platform *plat,
                                const sgxra_targetinfo *ti,
                                const uint8_t keyid[SGXRA_KEYID_SIZE],
                                uint8_t out_key[SGXRA_EMU_KEY_SIZE]) {
  sgxra__emu_keydep d;
  memset(&d, 0, sizeof d);
  d.keyname = SGXRA_KEYNAME_REPORT;
  d.configsvn = ti->configsvn;
  memcpy(d.ownerepoch, plat->ownerepoch, sizeof d.ownerepoch);
  d.attributes = ti->attributes;
  memcpy(d.mrenclave, ti->mrenclave, sizeof d.mrenclave);
  memcpy(d.keyid, keyid, sizeof d.keyid);
  memcpy(d.cpusvn, plat->cfg.cpusvn, sizeof d.cpusvn);
  d.miscselect = ti->miscselect;
  memcpy(d.configid, ti->configid, sizeof d.configid);
  sgxra_err err =
      sgxra__emu_derive(cx, plat, SGXRA__EMU_FUSE_SEAL, &d, out_key);
  sgxra_wipe(&d, sizeof d);
  return err;
}
