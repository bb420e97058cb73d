/* Signed enclave files of the Intel SGX SDK and file-kind detection: see
 * sgxra/enclavefile.h.
 *
 * Finding the metadata is a three-step walk, each step bounds-checked
 * against the bytes it came from (the ELF steps by sgx/elf.c, the reader
 * the enclave layout uses too, so a malformed ELF gets the same code here
 * and there):
 *
 *   ELF64 header          section header table (e_shoff, e_shnum x 64)
 *     -> section names    the .shstrtab section (e_shstrndx)
 *     -> .note.sgxmeta    one ELF note:
 *
 *          0  namesz u32 = 13     4  descsz u32     8  type u32 = 1
 *         12  "sgx_metadata\0"    (13 bytes, NOT padded to 4)
 *         25  descriptor: metadata_t records back to back
 *
 *   metadata_t (Intel SGX SDK, common/inc/internal/metadata.h):
 *          0  magic u64 0x86A80294635D0E4C
 *          8  version u64 = major << 32 | minor (minor stored first)
 *         16  size u32 (of this record)    20  tcs_policy u32
 *         24  ssa_frame_size u32           28  max_save_buffer_size u32
 *         32  desired_misc_select u32      36  tcs_min_pool u32
 *         40  enclave_size u64             48  attributes (flags, xfrm)
 *         64  enclave_css: the SIGSTRUCT, 1808 bytes
 *       1872  dirs[2] {offset u32, size u32}: patch table, layout table,
 *             offsets from the record start
 *       1888  data (the tables the dirs point into)
 *
 * Here only the fixed head is decoded; sgx/sdkenclave.c reads every
 * record with its tables (sgxra/sdkenclave.h) through the same note
 * parser and head decoder (sgx/sdk_internal.h). */
#include "sgxra/enclavefile.h"
#include "core/internal.h"
#include "sgx/elf_internal.h"
#include "sgx/sdk_internal.h"
#include "sgxra/measure.h"
#include "sgxra/sigstruct.h"

#define NOTE_NAME "sgx_metadata"
#define NOTE_NAMESZ 13 /* with its NUL */
#define NOTE_DESC_OFFSET (12 + NOTE_NAMESZ)
#define NOTE_TYPE 1

#define META_HEAD 64
#define META_DIRS (META_HEAD + SGXRA_SIGSTRUCT_SIZE) /* 1872 */
#define META_MIN_SIZE (META_DIRS + 2 * 8)            /* dirs[2] included */

/* Decode the fixed head of the record at r (size already checked). */
void sgxra__sgxmeta_decode(const uint8_t *r, sgxra_sgxmeta *out) {
  out->magic = sgxra__le64(r);
  out->version_minor = sgxra__le32(r + 8);
  out->version_major = sgxra__le32(r + 12);
  out->size = sgxra__le32(r + 16);
  out->tcs_policy = sgxra__le32(r + 20);
  out->ssa_frame_size = sgxra__le32(r + 24);
  out->max_save_buffer_size = sgxra__le32(r + 28);
  out->desired_misc_select = sgxra__le32(r + 32);
  out->tcs_min_pool = sgxra__le32(r + 36);
  out->enclave_size = sgxra__le64(r + 40);
  out->attributes.flags = sgxra__le64(r + 48);
  out->attributes.xfrm = sgxra__le64(r + 56);
  out->sigstruct = r + META_HEAD;
  out->record = r;
  out->patch_offset = sgxra__le32(r + META_DIRS);
  out->patch_size = sgxra__le32(r + META_DIRS + 4);
  out->layout_offset = sgxra__le32(r + META_DIRS + 8);
  out->layout_size = sgxra__le32(r + META_DIRS + 12);
}

/* A dirs[] entry must lie inside its record. */
static sgxra_err check_dir(sgxra_ctx *cx, const sgxra_sgxmeta *m,
                           const char *name, uint32_t off, uint32_t size) {
  if (off > m->size || size > m->size - off)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       ".note.sgxmeta: metadata %u.%u %s table (offset %u, "
                       "%u bytes) lies outside its %u-byte record",
                       m->version_major, m->version_minor, name, off, size,
                       m->size);
  return SGXRA_OK;
}

sgxra_err sgxra__sgxmeta_note(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              const uint8_t **out_desc, uint32_t *out_descsz) {
  *out_desc = NULL;
  *out_descsz = 0;
  sgxra__cur c;
  sgxra__cur_init(&c, p, n, ".note.sgxmeta", SGXRA_E_SGXMETA_FORMAT);
  uint32_t namesz, descsz, type;
  const uint8_t *name, *desc;
  sgxra_err e;
  if ((e = sgxra__cur_u32(cx, &c, "note namesz", &namesz)) ||
      (e = sgxra__cur_u32(cx, &c, "note descsz", &descsz)) ||
      (e = sgxra__cur_u32(cx, &c, "note type", &type)))
    return e;
  if (namesz != NOTE_NAMESZ)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       ".note.sgxmeta: note name size is %u, expected 13 "
                       "(\"sgx_metadata\" and its NUL)",
                       namesz);
  if (type != NOTE_TYPE)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       ".note.sgxmeta: note type is %u, expected 1", type);
  if ((e = sgxra__cur_take(cx, &c, NOTE_NAMESZ, "note name", &name))) return e;
  if (memcmp(name, NOTE_NAME, NOTE_NAMESZ) != 0)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       ".note.sgxmeta: note name is not \"sgx_metadata\": "
                       "not SGX SDK enclave metadata");
  /* The SDK writes the descriptor right after the name, unpadded. */
  if ((e = sgxra__cur_take(cx, &c, descsz, "note descriptor (descsz)", &desc)))
    return e;
  *out_desc = desc;
  *out_descsz = descsz;
  return SGXRA_OK;
}

sgxra_err sgxra_sgxmeta_parse_note(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                   sgxra_sgxmeta *out) {
  memset(out, 0, sizeof *out);
  if (!p && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       ".note.sgxmeta: input is NULL but its length is %zu", n);
  const uint8_t *desc;
  uint32_t descsz;
  sgxra_err e = sgxra__sgxmeta_note(cx, p, n, &desc, &descsz);
  if (e) return e;

  const uint8_t *best = NULL;
  uint64_t best_version = 0;
  size_t off = 0;
  while (descsz - off >= 8 && sgxra__le64(desc + off) == SGXRA_SGXMETA_MAGIC) {
    size_t left = descsz - off;
    if (left < META_MIN_SIZE)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         ".note.sgxmeta truncated: metadata record at "
                         "offset %zu needs at least %d bytes, only %zu remain",
                         NOTE_DESC_OFFSET + off, META_MIN_SIZE, left);
    uint32_t size = sgxra__le32(desc + off + 16);
    if (size < META_MIN_SIZE || size > left)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         ".note.sgxmeta: metadata record at offset %zu "
                         "declares size %u, outside %d..%zu (its fixed part "
                         "to the end of the note)",
                         NOTE_DESC_OFFSET + off, size, META_MIN_SIZE, left);
    /* minor is stored first, so the u64 reads major << 32 | minor */
    uint64_t version = sgxra__le64(desc + off + 8);
    if (!best || version > best_version) {
      best = desc + off;
      best_version = version;
    }
    off += size;
  }
  if (!best) {
    uint64_t magic = descsz >= 8 ? sgxra__le64(desc) : 0;
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       ".note.sgxmeta: no metadata record: magic at offset "
                       "25 is 0x%016llx, expected 0x%016llx",
                       (unsigned long long)magic,
                       (unsigned long long)SGXRA_SGXMETA_MAGIC);
  }
  sgxra_sgxmeta m;
  sgxra__sgxmeta_decode(best, &m);
  if ((e = check_dir(cx, &m, "patch", m.patch_offset, m.patch_size)) ||
      (e = check_dir(cx, &m, "layout", m.layout_offset, m.layout_size)))
    return e;
  *out = m;
  return SGXRA_OK;
}

sgxra_err sgxra__sgxmeta_section(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                 const char *hint, sgxra__elf_section *out) {
  sgxra__elf elf;
  uint64_t nsections = 0;
  int found = 0;
  sgxra_err e = sgxra__elf_open(cx, p, n, &elf);
  if (e) return e;
  if (elf.shoff == 0)
    return sgxra__fail(cx, SGXRA_E_ELF_NO_SGXMETA,
                       "ELF has no section header table, so no "
                       ".note.sgxmeta: not a signed SGX SDK enclave%s",
                       hint);
  e = sgxra__elf_find_section(cx, &elf, ".note.sgxmeta", out, &found,
                              &nsections);
  if (e) return e;
  if (!found)
    return sgxra__fail(cx, SGXRA_E_ELF_NO_SGXMETA,
                       "ELF has no .note.sgxmeta section among its %llu "
                       "sections: not a signed SGX SDK enclave%s",
                       (unsigned long long)nsections, hint);
  return SGXRA_OK;
}

sgxra_err sgxra_sgxmeta_from_elf(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                 sgxra_sgxmeta *out) {
  sgxra__elf_section sec;
  memset(out, 0, sizeof *out);
  sgxra_err e = sgxra__sgxmeta_section(
      cx, p, n,
      " (sign it with sgx_sign, or measure the unsigned image instead)", &sec);
  if (e) return e;
  e = sgxra_sgxmeta_parse_note(cx, sec.bytes, (size_t)sec.size, out);
  if (e)
    return sgxra__context(cx, e, "section %llu at file offset 0x%llx",
                          (unsigned long long)sec.index,
                          (unsigned long long)sec.offset);
  return SGXRA_OK;
}

/* ---- detection ----------------------------------------------------------- */

sgxra_file_kind sgxra_file_detect(const uint8_t *p, size_t n) {
  if (!p || n == 0) return SGXRA_FILE_UNKNOWN;
  if (n == SGXRA_SIGSTRUCT_SIZE && sgxra_sigstruct_has_header(p, n))
    return SGXRA_FILE_SIGSTRUCT;
  if (n >= 4 && !memcmp(p,
                        "\x7f"
                        "ELF",
                        4))
    return SGXRA_FILE_ELF;
  if (n >= 64 && !memcmp(p, "ECREATE\0", 8)) return SGXRA_FILE_SGXS;
  if (n == SGXRA_REPORT_SIZE) return SGXRA_FILE_REPORT;
  /* Quote header: version 3, 4 or 5, attestation key type 2 (ECDSA
   * P-256), and room for at least the header and a report body. */
  if (n >= 48 + SGXRA_REPORT_BODY_SIZE) {
    uint16_t version = sgxra__le16(p), keytype = sgxra__le16(p + 2);
    if (version >= 3 && version <= 5 && keytype == 2) return SGXRA_FILE_QUOTE;
  }
  if (n % SGXRA_PAGE_SIZE == 0) return SGXRA_FILE_RAW_IMAGE;
  return SGXRA_FILE_UNKNOWN;
}

sgxra_err sgxra_file_detect_known(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  sgxra_file_kind *out_kind) {
  *out_kind = sgxra_file_detect(p, n);
  if (*out_kind != SGXRA_FILE_UNKNOWN) return SGXRA_OK;
  return sgxra__fail(cx, SGXRA_E_FILE_UNKNOWN,
                     "%zu bytes that are no SGX file sgxra knows: not a "
                     "SIGSTRUCT (1808 bytes with its header), an ELF "
                     "(\\x7fELF), an SGXS stream (an ECREATE record first), "
                     "a REPORT (432 bytes), a DCAP quote (version 3..5, key "
                     "type 2) or a raw page image (a multiple of 4096 bytes)",
                     n);
}

const char *sgxra_file_kind_name(sgxra_file_kind k) {
  switch (k) {
  case SGXRA_FILE_SIGSTRUCT:
    return "sigstruct";
  case SGXRA_FILE_ELF:
    return "elf";
  case SGXRA_FILE_SGXS:
    return "sgxs";
  case SGXRA_FILE_REPORT:
    return "report";
  case SGXRA_FILE_QUOTE:
    return "quote";
  case SGXRA_FILE_RAW_IMAGE:
    return "raw";
  case SGXRA_FILE_UNKNOWN:
    break;
  }
  return "unknown";
}
